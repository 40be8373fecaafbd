// Add a security key or passkey: name it, touch it. Used on the Security page and in forced setup (where the
// setup_required challenge id is the bearer).
import { useState } from 'preact/hooks';
import type { KeyAdded } from '../../shared/webauthn.ts';
import { api, describeError } from '../api-client.ts';
import { ErrorMessage } from './alert.tsx';
import { useFocusOnMount } from './use-focus.ts';
import { createKey, describeCeremonyFailure, isCeremonyFailure, keysSupported, type CeremonyOptions } from '../security-key-ceremony.ts';
import { TextField } from '../../shared/ui/text-field.tsx';
import { SubmitRow } from './enrolment-form.tsx';

interface Props {
  bearer?: string;
  /** Runs the call that may need re-authentication (the Security page asks for the password, then retries). */
  run?<T>(call: () => Promise<T>): Promise<T>;
  onAdded(result: KeyAdded): void;
  onCancel?(): void;
}

export function AddSecurityKey({ bearer, run = (call) => call(), onAdded, onCancel }: Props) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focus = useFocusOnMount<HTMLInputElement>();

  if (!keysSupported()) {
    return (
      <p class="notice notice--warning" data-testid="keys-unsupported">
        This browser can’t use security keys or passkeys. Try a current version of Chrome, Edge, Firefox or Safari.
      </p>
    );
  }

  async function add(event: Event) {
    event.preventDefault();
    const chosen = name.trim();
    if (!chosen) {
      setError('Give the key a name, like “Blue YubiKey” or “This laptop”.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const options = await run(() => api<CeremonyOptions>('POST', '/me/2fa/webauthn/options', { bearer, body: {} }));
      const response = await createKey(options);
      onAdded(await api<KeyAdded>('POST', '/me/2fa/webauthn', { bearer, body: { name: chosen, response } }));
    } catch (e) {
      setError(isCeremonyFailure(e) ? describeCeremonyFailure(e) : describeError(e));
      setBusy(false);
    }
  }

  return (
    <form class="stack" onSubmit={add} aria-label="Add a security key or passkey">
      <p>Use a USB or NFC security key, or a passkey on this device or your phone. Phishing sites can’t use it.</p>
      <TextField
        id="key-name"
        label="Name this key"
        inputRef={focus}
        value={name}
        maxLength={64}
        autocomplete="off"
        placeholder="e.g. Blue YubiKey"
        onValue={setName}
        hint="So you can tell your keys apart later."
      />
      <ErrorMessage>{error}</ErrorMessage>
      <SubmitRow disabled={busy} onCancel={onCancel}>
        {busy ? 'Touch your key…' : 'Add key'}
      </SubmitRow>
    </form>
  );
}
