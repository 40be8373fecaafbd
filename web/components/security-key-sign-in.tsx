// The second step with a security key or passkey: ask the API for a ceremony bound to this sign-in, let the
// browser talk to the key, send its signed answer. A key that is not accepted counts as a wrong code on the
// server; a ceremony the person cancels never reaches it.
import { useState } from 'preact/hooks';
import type { LoginAuthenticated } from '../../shared/schemas.ts';
import { pageMarks } from '../../shared/contract.ts';
import { api, ApiError } from '../api-client.ts';
import { ErrorMessage } from './alert.tsx';
import { useFocusOnMount } from './use-focus.ts';
import { RememberDevice } from './remember-device.tsx';
import { describeCeremonyFailure, isCeremonyFailure, keysSupported, signWithKey, type CeremonyOptions } from '../security-key-ceremony.ts';
import type { Method } from '../../shared/schemas.ts';

/** The method a challenge page starts with: the security key when the user has one (a fake sign-in page cannot
 * relay it) and this browser can use it; otherwise the preferred method, or the first other one offered. */
export function firstMethod(challenge: { methods: readonly Method[]; preferredMethod: Method }, supported = keysSupported()): Method {
  if (challenge.methods.includes('webauthn') && supported) return 'webauthn';
  if (challenge.preferredMethod !== 'webauthn') return challenge.preferredMethod;
  return challenge.methods.find((m) => m !== 'webauthn') ?? challenge.preferredMethod;
}

interface Props {
  challengeId: string;
  email: string;
  onSignedIn(): void;
  /** API failures the challenge page handles for every method (expired, locked out). */
  onFailure(error: unknown): void;
}

export function SecurityKeySignIn({ challengeId, email, onSignedIn, onFailure }: Props) {
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focus = useFocusOnMount<HTMLButtonElement>();
  const path = `/auth/challenge/${encodeURIComponent(challengeId)}`;

  async function useKey(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const response = await signWithKey(await api<CeremonyOptions>('POST', `${path}/webauthn-options`, { body: {} }));
      // A remembered device is the HttpOnly twofold_device cookie the answer sets; no page script holds the token.
      await api<LoginAuthenticated>('POST', `${path}/verify`, { body: { method: 'webauthn', response, rememberDevice: remember } });
      onSignedIn();
      return;
    } catch (e) {
      if (isCeremonyFailure(e)) setError(describeCeremonyFailure(e));
      else if (e instanceof ApiError && e.code === 'invalid_code')
        setError('That security key was not accepted. Try again, or use another way below.');
      else onFailure(e);
    }
    setBusy(false);
    focus.current?.focus();
  }

  return (
    <form class="stack" onSubmit={useKey} {...pageMarks({ user: email.toLowerCase(), method: 'webauthn' })}>
      <p class="hint code-status" role="status">
        {busy ? 'Touch your security key, or confirm with your device…' : 'Have your security key or passkey ready.'}
      </p>
      <RememberDevice checked={remember} onCheck={setRemember} skips="the second step" />
      <ErrorMessage>{error}</ErrorMessage>
      <button type="submit" class="button button--block" ref={focus} disabled={busy}>
        Use your security key
      </button>
    </form>
  );
}
