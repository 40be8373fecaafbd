// A recovery code for a member, shown once, with copy and a live countdown to its expiry.
import { Dialog } from '../../components/dialog.tsx';
import { Countdown } from '../../components/countdown.tsx';
import { CopyAndDone } from '../../components/copy-and-done.tsx';

interface Props {
  name: string;
  code: string;
  expiresAt: string;
  onClose(): void;
}

export function RecoveryCodeDialog({ name, code, expiresAt, onClose }: Props) {
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
      <CopyAndDone text={code} copyLabel="Copy code" refused="Copying is not allowed here; select the code instead." onDone={onClose} />
    </Dialog>
  );
}
