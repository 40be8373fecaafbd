// @vitest-environment happy-dom
// Where the content script types a code: one one-time-code field, or a group of six one-digit boxes.
import { describe, expect, it } from 'vitest';
import { describeTarget, fillTarget, findCodeTarget } from '../../extension/lib/content/fields.ts';

function page(html: string): Document {
  document.body.innerHTML = html;
  return document;
}

const six = (attrs = '') =>
  Array.from({ length: 6 }, (_, i) => `<span><input maxlength="1" inputmode="numeric" aria-label="Digit ${i + 1}" ${attrs}></span>`).join(
    '',
  );

describe('code fields', () => {
  it('finds a single one-time-code field and types into it with input events', () => {
    const doc = page(
      '<form data-twofold-user="alice@example.com" data-twofold-method="totp"><input id="c" autocomplete="one-time-code"></form>',
    );
    const target = findCodeTarget(doc)!;
    expect(target.kind).toBe('single');
    const seen: string[] = [];
    doc.getElementById('c')!.addEventListener('input', (e) => seen.push((e.target as HTMLInputElement).value));
    fillTarget(target, '123456');
    expect(seen).toEqual(['123456']);
    expect(describeTarget(target, doc)).toEqual({ user: 'alice@example.com', method: 'totp' });
  });

  it('finds six one-digit boxes in a group and fills one digit each', () => {
    const doc = page(`<form data-twofold-user="bob@example.com"><div class="boxes">${six()}</div></form>`);
    const target = findCodeTarget(doc)!;
    expect(target.kind).toBe('boxes');
    fillTarget(target, '908172');
    expect([...doc.querySelectorAll('input')].map((i) => i.value).join('')).toBe('908172');
    expect(describeTarget(target, doc).user).toBe('bob@example.com');
  });

  it('ambiguous pages are left alone: two code fields, five or seven boxes, two groups of six', () => {
    expect(findCodeTarget(page('<input autocomplete="one-time-code"><input autocomplete="one-time-code">'))).toBeNull();
    expect(findCodeTarget(page(`<div>${six().split('</span>').slice(0, 5).join('</span>')}</div>`))).toBeNull();
    expect(findCodeTarget(page(`<div>${six()}<span><input maxlength="1"></span></div>`))).toBeNull();
    expect(findCodeTarget(page(`<div>${six()}</div><div>${six()}</div>`))).toBeNull();
    expect(findCodeTarget(page(`<div>${six('disabled')}</div>`))).toBeNull();
    expect(findCodeTarget(page('<input type="hidden" autocomplete="one-time-code">'))).toBeNull();
  });
});

describe('whose code', () => {
  it("the user must be named on the field's form; a setup page (showing an otpauth URI) is never a challenge", () => {
    let doc = page('<header data-twofold-user="alice@example.com"></header><form><input autocomplete="one-time-code"></form>');
    expect(describeTarget(findCodeTarget(doc)!, doc).user).toBeNull();
    doc = page(
      '<form data-twofold-user="alice@example.com"><p data-otpauth-uri="otpauth://totp/x"></p><input autocomplete="one-time-code"></form>',
    );
    expect(describeTarget(findCodeTarget(doc)!, doc).user).toBeNull();
    doc = page('<form data-twofold-user="alice@example.com" data-twofold-method="sms"><input autocomplete="one-time-code"></form>');
    expect(describeTarget(findCodeTarget(doc)!, doc)).toEqual({ user: 'alice@example.com', method: 'sms' });
  });
});
