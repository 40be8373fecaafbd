// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { MethodSwitcher, otherMethods } from '../../web/components/method-switcher.tsx';

let root: HTMLElement | undefined;
afterEach(() => {
  if (root) {
    act(() => render(null, root!));
    root.remove();
    root = undefined;
  }
});
function mount(node: ComponentChild): HTMLElement {
  const el = document.createElement('div');
  root = el;
  document.body.append(el);
  act(() => render(node, el));
  return el;
}

describe('method switcher', () => {
  it('offers only the other methods the API offered, the recovery code last', () => {
    expect(otherMethods(['recovery_code', 'backup_code', 'sms', 'totp'], 'totp')).toEqual(['sms', 'backup_code', 'recovery_code']);
    expect(otherMethods(['totp'], 'totp')).toEqual([]);
  });

  it('shows plain words and switches on click', () => {
    const onSwitch = vi.fn();
    const el = mount(<MethodSwitcher methods={['totp', 'sms', 'backup_code', 'recovery_code']} current="totp" onSwitch={onSwitch} />);
    const labels = [...el.querySelectorAll('button')].map((b) => b.textContent);
    expect(labels).toEqual(['Use a text message instead', 'Use a backup code', 'Use a recovery code']);
    act(() => el.querySelectorAll('button')[1]!.click());
    expect(onSwitch).toHaveBeenCalledWith('backup_code');
  });

  it('renders nothing when there is no other method', () => {
    const el = mount(<MethodSwitcher methods={['totp']} current="totp" onSwitch={() => {}} />);
    expect(el.innerHTML).toBe('');
  });
});
