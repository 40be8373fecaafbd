// "I have a recovery code": an owner's one-time code passes the setup requirement (or the challenge) once.
import { useState } from 'preact/hooks';
import { normaliseTypedCode } from '../../shared/typed-code.ts';
import { api, describeError } from '../api-client.ts';
import { CodeInput } from './code-input.tsx';
import { ErrorMessage } from './alert.tsx';

export function RecoveryCodeForm({ challengeId, onSignedIn }: { challengeId: string; onSignedIn(): void }) {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <button type="button" class="link-button" onClick={() => setOpen(true)}>
        I have a recovery code from an owner
      </button>
    );
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('POST', `/auth/challenge/${encodeURIComponent(challengeId)}/verify`, {
        body: { method: 'recovery_code', code: normaliseTypedCode(code) },
      });
      onSignedIn();
    } catch (e) {
      setError(describeError(e, { invalid_code: 'That recovery code is not right, or it has expired.' }));
      setBusy(false);
    }
  }
  return (
    <form class="stack" onSubmit={submit}>
      <CodeInput id="setup-recovery-code" label="Recovery code" kind="text" value={code} onChange={setCode} invalid={!!error} />
      <ErrorMessage>{error}</ErrorMessage>
      <button type="submit" class="button button--secondary" disabled={busy}>
        Sign in with the recovery code
      </button>
    </form>
  );
}
