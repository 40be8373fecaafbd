// A recovery code for a member, shown once, with copy and a live countdown to its expiry.
import { useState } from 'preact/hooks';
import { Dialog } from '../../components/dialog.tsx';
import { Countdown } from '../../components/countdown.tsx';

interface Props {
  name: string;
  code: string;
  expiresAt: string;
  onClose(): void;
}

export function RecoveryCodeDialog({ name, code, expiresAt, onClose }: Props) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here; select the code instead.');
    }
  }
  return (
    <Dialog title={`Recovery code for ${name}`} onClose={onClose} testId="recovery-dialog">
      <p>Give this code to {name} in person or by phone. It lets them sign in once, with their password, and is shown only now.</p>
      <code class="shown-once" data-testid="recovery-code">
        {code}
      </code>
      <p>
        Expires in{' '}
        <strong>
          <Countdown until={Date.parse(expiresAt)} doneText="— expired" />
        </strong>
        .
      </p>
      <div class="button-row">
        <button type="button" class="button button--secondary" onClick={copy}>
          Copy code
        </button>
        <button type="button" class="button" onClick={onClose}>
          Done
        </button>
      </div>
      <p class="hint" role="status">
        {copied || '\u00a0'}
      </p>
    </Dialog>
  );
}
