// One field for a one-time code: the browser can fill it (autocomplete="one-time-code"), phones show digits,
// and a pasted "123 456" or "123-456" becomes "123456". Backup and recovery codes keep their letters.
import type { Ref } from 'preact';
import { normaliseTypedCode } from '../../shared/totp.ts';

export type CodeKind = 'digits' | 'text';

/** What the field keeps of what was typed or pasted. */
export function cleanCode(input: string, kind: CodeKind, length = 6): string {
  if (kind === 'digits') return normaliseTypedCode(input).replace(/[^0-9]/g, '').slice(0, length);
  return input.normalize('NFKC').replace(/[^0-9A-Za-z\s-]/g, '').slice(0, 40);
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
}

export function CodeInput({ id, label, value, onChange, kind = 'digits', length = 6, hint, disabled, inputRef, invalid }: Props) {
  const digits = kind === 'digits';
  function handleInput(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const cleaned = cleanCode(input.value, kind, length);
    if (input.value !== cleaned) input.value = cleaned;
    onChange(cleaned);
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
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
        aria-describedby={hint ? `${id}-hint` : undefined}
        data-testid="code-input"
      />
    </div>
  );
}
