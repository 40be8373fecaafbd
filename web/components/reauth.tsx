// Sensitive calls answer 403 reauth_required when the last proof is older than 10 minutes: ask for the
// password, POST /auth/reauth, then run the call again.
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, describeError } from '../api-client.ts';
import { Dialog } from './dialog.tsx';
import { ErrorMessage } from './alert.tsx';
import { useFocusOnMount } from './use-focus.ts';
import { TextField } from '../../shared/ui/text-field.tsx';

export function useReauth() {
  const [pending, setPending] = useState(false);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  async function withReauth<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'reauth_required') throw error;
      setPending(true);
      const ok = await new Promise<boolean>((resolve) => {
        resolver.current = resolve;
      });
      setPending(false);
      // The person chose not to: nothing to report (describeError gives an empty sentence).
      if (!ok) throw new ApiError(403, 'reauth_required', 'Cancelled: please confirm it is you to continue.', { cancelled: true });
      return call();
    }
  }

  const dialog = pending ? <ReauthDialog onDone={(ok) => resolver.current?.(ok)} /> : null;
  return { withReauth, dialog };
}

function ReauthDialog({ onDone }: { onDone(ok: boolean): void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focus = useFocusOnMount<HTMLInputElement>();
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('POST', '/auth/reauth', { body: { password } });
      onDone(true);
    } catch (e) {
      setError(describeError(e, { invalid_credentials: 'That password is not right.' }));
      setBusy(false);
    }
  }
  return (
    <Dialog title="Confirm it’s you" onClose={() => onDone(false)} testId="reauth-dialog">
      <form onSubmit={submit} class="stack">
        <p>For your security, enter your password again to continue.</p>
        <TextField
          id="reauth-password"
          label="Password"
          inputRef={focus}
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <ErrorMessage>{error}</ErrorMessage>
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>
            Confirm
          </button>
          <button type="button" class="button button--secondary" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
