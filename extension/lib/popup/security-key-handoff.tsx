// The dialer's second step when it is a security key: an extension page cannot ask a key to sign for the web
// app's relying party, so the popup says so and opens the web app's challenge in a tab. Passing it there signs
// the shared session in, and the dialer follows (session-changed) with no second prompt.
import { useState } from 'preact/hooks';
import type { Method } from '../../../shared/schemas.ts';
import { send } from '../browser-api.ts';
import type { PendingChallenge } from '../messages.ts';
import { ErrorAlert, describeFailure } from '../ui/errors.tsx';

const otherNames: Partial<Record<Method, string>> = {
  totp: 'App',
  sms: 'Text',
  email: 'Email',
  backup_code: 'Backup code',
  recovery_code: 'Recovery code',
};

interface Props {
  pending: PendingChallenge;
  onSwitch(method: Method): void;
  onCancel(): void;
}

export function SecurityKeyHandoff({ pending, onSwitch, onCancel }: Props) {
  const [opened, setOpened] = useState(false);
  const [error, setError] = useState('');
  const others = pending.methods.filter((m) => m !== 'webauthn');

  async function open() {
    setError('');
    try {
      await send('auth:continue-in-web', {});
      setOpened(true);
    } catch (e) {
      setError(describeFailure(e));
    }
  }

  return (
    <section class="stack" aria-labelledby="handoff-title" data-testid="key-handoff">
      <h1 id="handoff-title">Use your security key</h1>
      <p class="hint">
        Signing in as <strong>{pending.email}</strong>
      </p>
      <p>Your account signs in with a security key or passkey. It works in the Twofold web app, not in this popup.</p>
      <button type="button" class="button" onClick={() => void open()}>
        Continue in the web app
      </button>
      <p class="hint" role="status">
        {opened
          ? 'Finish in the tab we opened. The dialer signs in by itself when you’re done.'
          : 'We open this sign-in in a tab; when it passes there, the dialer is signed in too.'}
      </p>
      <ErrorAlert message={error} />
      {others.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: a row of buttons, not form fields; a fieldset would add form semantics and styles
        <div class="methods" role="group" aria-label="Or confirm another way">
          {others.map((m) => (
            <button type="button" key={m} onClick={() => onSwitch(m)}>
              {otherNames[m] ?? m}
            </button>
          ))}
        </div>
      )}
      <button type="button" class="button button--secondary" onClick={onCancel}>
        Cancel
      </button>
    </section>
  );
}
