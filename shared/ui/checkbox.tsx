// A checkbox with its label beside it, the way the web app and the extension both lay one out; what follows the
// label (a hint, say) comes as children.
import type { ComponentChildren } from 'preact';

interface Props {
  id: string;
  label: ComponentChildren;
  checked: boolean;
  onCheck: (checked: boolean) => void;
  /** A class besides `checkbox`, for where the page places it. */
  class?: string;
  children?: ComponentChildren;
}

export function Checkbox({ id, label, checked, onCheck, class: placement, children }: Props) {
  return (
    <div class={placement ? `checkbox ${placement}` : 'checkbox'}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onCheck(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}
