// One field for a one-time code: the browser can fill it (autocomplete="one-time-code"), phones show digits,
// and a pasted "123 456" or "123-456" becomes "123456". Backup and recovery codes keep their letters.
// onComplete hears the sixth digit (typed, pasted or filled), so a form can submit without a click.
import type { Ref } from 'preact';
import { normaliseTypedCode } from '../../shared/typed-code.ts';

export type CodeKind = 'digits' | 'text';

/** What the field keeps of what was typed or pasted. */
export function cleanCode(input: string, kind: CodeKind, length = 6): string {
  if (kind === 'digits')
    return normaliseTypedCode(input)
      .replace(/[^0-9]/g, '')
      .slice(0, length);
  return input
    .normalize('NFKC')
    .replace(/[^0-9A-Za-z\s-]/g, '')
    .slice(0, 40);
}

interface Props {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  kind?: CodeKind;
  length?: number;
  hint?: string;
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  invalid?: boolean;
  /** The id of the message that explains a wrong code, read out with the field. */
  errorId?: string;
  /** Called when a digits code reaches its full length. */
  onComplete?(code: string): void;
}

export function CodeInput({
  id,
  label,
  value,
  onChange,
  kind = 'digits',
  length = 6,
  hint,
  disabled,
  inputRef,
  invalid,
  errorId,
  onComplete,
}: Props) {
  const digits = kind === 'digits';
  function handleInput(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const cleaned = cleanCode(input.value, kind, length);
    if (input.value !== cleaned) input.value = cleaned;
    onChange(cleaned);
    if (digits && cleaned.length === length && cleaned !== value) onComplete?.(cleaned);
  }
  const describedBy = [hint ? `${id}-hint` : '', invalid && errorId ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        ref={inputRef}
        name="code"
        class={`code-input${digits ? ' code-input--digits' : ''}`}
        type="text"
        value={value}
        onInput={handleInput}
        autocomplete="one-time-code"
        inputmode={digits ? 'numeric' : 'text'}
        maxLength={digits ? length + 8 : 48}
        spellcheck={false}
        autocapitalize="off"
        disabled={disabled}
        required
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        data-testid="code-input"
      />
    </div>
  );
}
