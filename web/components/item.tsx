// One row of an item list (a key, a device, a session, an invitation): its name and a line about it, then what
// can be done to it, as small buttons each named for screen readers after the item they act on.
import type { ComponentChildren } from 'preact';

interface ItemProps {
  title: ComponentChildren;
  meta: ComponentChildren;
  testId?: string;
  /** The item's buttons. */
  children?: ComponentChildren;
}

export function Item({ title, meta, testId, children }: ItemProps) {
  return (
    <li class="item" data-testid={testId}>
      <div>
        <span class="item__title">{title}</span>
        <span class="item__meta">{meta}</span>
      </div>
      {children}
    </li>
  );
}

interface ButtonProps {
  /** What the button does to which item, like “Remove Blue YubiKey”: its visible text alone would not say which. */
  label: string;
  onClick(): void;
  children: ComponentChildren;
}

export function ItemButton({ label, onClick, children }: ButtonProps) {
  return (
    <button type="button" class="button button--secondary button--small" aria-label={label} onClick={onClick}>
      {children}
    </button>
  );
}
