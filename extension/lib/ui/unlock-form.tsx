// "Unlock with your passphrase": in the popup (before the dialer's code is filled) and on the options page.
// The passphrase is typed only here, in the extension's own pages, never in a web page.
import { useId, useState } from 'preact/hooks';
import { send } from '../browser-api.ts';
import type { VaultStatus } from '../messages.ts';
import { ErrorAlert, describeFailure } from './errors.tsx';

interface Props {
  why: string;
  onUnlocked(status: VaultStatus): void;
}

export function UnlockForm({ why, onUnlocked }: Props) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId(); // the popup may show two (a page asked, and the dialer's own challenge)

  async function unlock(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const status = await send('vault:unlock', { passphrase });
      setPassphrase('');
      onUnlocked(status);
    } catch (e) {
      setError(describeFailure(e)); // the typed passphrase stays, to correct it
    }
    setBusy(false);
  }

  return (
    <form class="stack unlock" onSubmit={unlock} aria-labelledby={`${id}-title`} data-testid="unlock-form">
      <h2 id={`${id}-title`}>Unlock kept authenticators</h2>
      <p class="hint" id={`${id}-why`}>
        {why}
      </p>
      <div>
        <label for={`${id}-passphrase`}>Passphrase</label>
        <div class="row">
          <input
            id={`${id}-passphrase`}
            class="grow"
            type="password"
            autocomplete="off"
            value={passphrase}
            required
            aria-describedby={`${id}-why`}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
          <button type="submit" class="button" disabled={busy}>
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
        </div>
      </div>
      <ErrorAlert message={error} />
    </form>
  );
}
