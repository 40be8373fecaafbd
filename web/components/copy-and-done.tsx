// The buttons under a secret shown only once (a new API key, a recovery code): copy it, or be done with it, and a
// status line below that says whether the copy worked.
import { useState } from 'preact/hooks';

interface Props {
  text: string;
  copyLabel: string;
  /** Said when the browser does not allow copying. */
  refused: string;
  onDone(): void;
}

export function CopyAndDone({ text, copyLabel, refused, onDone }: Props) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied.');
    } catch {
      setCopied(refused);
    }
  }
  return (
    <>
      <div class="button-row">
        <button type="button" class="button button--secondary" onClick={copy}>
          {copyLabel}
        </button>
        <button type="button" class="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p class="hint" role="status">
        {copied || '\u00a0'}
      </p>
    </>
  );
}
