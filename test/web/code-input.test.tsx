// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { act } from 'preact/test-utils';
import { CodeInput, cleanCode } from '../../web/components/code-input.tsx';

let root: HTMLElement;
let last = '';

function Harness({ kind }: { kind?: 'digits' | 'text' }) {
  const [value, setValue] = useState('');
  return (
    <CodeInput
      id="c"
      label="Code"
      value={value}
      kind={kind}
      onChange={(v) => {
        last = v;
        setValue(v);
      }}
    />
  );
}

function mount(kind?: 'digits' | 'text'): HTMLInputElement {
  root = document.createElement('div');
  document.body.append(root);
  act(() => render(<Harness kind={kind} />, root));
  return root.querySelector('input')!;
}

function type(input: HTMLInputElement, text: string) {
  act(() => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

afterEach(() => {
  act(() => render(null, root));
  root.remove();
  last = '';
});

describe('code input', () => {
  it('has a real label and tells the browser it is a one-time code for the numeric keypad', () => {
    const input = mount();
    const label = root.querySelector('label')!;
    expect(label.getAttribute('for')).toBe(input.id);
    expect(label.textContent).toBe('Code');
    expect(input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(input.getAttribute('inputmode')).toBe('numeric');
  });

  it('turns a pasted "123 456" into "123456"', () => {
    const input = mount();
    type(input, '123 456');
    expect(last).toBe('123456');
    expect(input.value).toBe('123456');
  });

  it('keeps digits only, and at most six of them', () => {
    const input = mount();
    type(input, '12a-3b4');
    expect(input.value).toBe('1234');
    type(input, '12345678');
    expect(input.value).toBe('123456');
    expect(last).toBe('123456');
  });

  it('reads full-width digits as digits', () => {
    expect(cleanCode('１２３ ４５６', 'digits')).toBe('123456');
  });

  it('keeps the letters and dashes of a backup code, in a text keyboard', () => {
    const input = mount('text');
    expect(input.getAttribute('inputmode')).toBe('text');
    type(input, 'ABCD-EFGH-23');
    expect(input.value).toBe('ABCD-EFGH-23');
    expect(cleanCode('ab<script>', 'text')).toBe('abscript');
  });
});
