// A labelled text box, the way every form of the web app and the extension lays one out: the label, an optional hint tied to the box by
// aria-describedby (`<id>-hint`, above the box when it tells how to type, below when it says what happens), and the box.
import type { ComponentChildren, InputHTMLAttributes, PartialInputHTMLAttributes, Ref } from 'preact';

type BoxAttributes = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput' | 'ref' | 'role' | 'type'> & {
  type?: 'text' | 'email' | 'password' | 'tel' | 'number' | 'url';
};

export interface TextFieldProps extends BoxAttributes {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
  hint?: ComponentChildren;
  hintAbove?: boolean;
}

export function TextField({ id, label, value, onValue, inputRef, hint, hintAbove = false, ...box }: TextFieldProps) {
  const hintId = `${id}-hint`;
  const hintText = hint ? (
    <p class="hint" id={hintId}>
      {hint}
    </p>
  ) : null;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hintAbove && hintText}
      <input
        id={id}
        ref={inputRef}
        value={value}
        aria-describedby={hint ? hintId : undefined}
        onInput={(e) => onValue(e.currentTarget.value)}
        // Preact types an input's attributes as a union keyed by `type`; a type chosen at run time needs the cast.
        {...(box as InputHTMLAttributes<HTMLInputElement>)}
      />
      {!hintAbove && hintText}
    </div>
  );
}
