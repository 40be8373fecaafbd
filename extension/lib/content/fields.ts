// Finds where a one-time code goes on a page (one `autocomplete="one-time-code"` field, or a group of six
// one-digit boxes) and types a code into it the way a person would, so the page's own handlers see it.
import { METHOD_ATTRIBUTE, OTPAUTH_ATTRIBUTE, USER_ATTRIBUTE } from '../../../shared/contract.ts';

export type CodeTarget = { kind: 'single'; input: HTMLInputElement } | { kind: 'boxes'; inputs: HTMLInputElement[] };

const TEXT_TYPES = new Set(['', 'text', 'tel', 'number', 'password']);

function usable(input: HTMLInputElement): boolean {
  return TEXT_TYPES.has(input.type.toLowerCase()) && !input.disabled && !input.readOnly;
}

/** The lowest ancestor of `box` that holds at least two of the boxes. */
function groupOf(box: HTMLInputElement, boxes: HTMLInputElement[]): Element | null {
  for (let node = box.parentElement, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
    if (boxes.filter((other) => other !== box && node!.contains(other)).length > 0) return node;
  }
  return null;
}

export function findCodeTarget(root: ParentNode): CodeTarget | null {
  const singles = [...root.querySelectorAll<HTMLInputElement>('input[autocomplete="one-time-code" i]')].filter(
    (input) => usable(input) && input.maxLength !== 1,
  );
  if (singles.length === 1) return { kind: 'single', input: singles[0]! };
  if (singles.length > 1) return null;
  const boxes = [...root.querySelectorAll<HTMLInputElement>('input[maxlength="1"]')].filter(usable);
  if (boxes.length < 6) return null;
  const groups = new Map<Element, HTMLInputElement[]>();
  for (const box of boxes) {
    const group = groupOf(box, boxes);
    if (group) groups.set(group, [...(groups.get(group) ?? []), box]);
  }
  const sixes = [...groups.values()].filter((inputs) => inputs.length === 6);
  return sixes.length === 1 ? { kind: 'boxes', inputs: sixes[0]! } : null;
}

export function targetKey(target: CodeTarget): HTMLInputElement {
  return target.kind === 'single' ? target.input : target.inputs[0]!;
}

export function isEmpty(target: CodeTarget): boolean {
  return target.kind === 'single' ? target.input.value === '' : target.inputs.every((input) => input.value === '');
}

function typeInto(input: HTMLInputElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  if (setter) setter.call(input, value);
  else input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

export function fillTarget(target: CodeTarget, code: string): void {
  if (target.kind === 'single') {
    typeInto(target.input, code);
    return;
  }
  target.inputs.forEach((input, index) => {
    typeInto(input, code[index] ?? '');
  });
}

/** Whose code and which method the form asks for: USER_ATTRIBUTE and METHOD_ATTRIBUTE (`data-twofold-user`,
 * `data-twofold-method`) on the field's form (or another ancestor). A page showing an `otpauth://` URI is a setup
 * page, not a challenge: no user. */
export function describeTarget(target: CodeTarget, doc: Document): { user: string | null; method: string | null } {
  const anchor = targetKey(target);
  if (doc.querySelector(`[${OTPAUTH_ATTRIBUTE}]`)) return { user: null, method: null };
  const userHost = anchor.closest(`[${USER_ATTRIBUTE}]`);
  const methodHost = anchor.closest(`[${METHOD_ATTRIBUTE}]`);
  return {
    user: userHost?.getAttribute(USER_ATTRIBUTE)?.trim() || null,
    method: methodHost?.getAttribute(METHOD_ATTRIBUTE) ?? null,
  };
}
