// "Check your email" after signing up: where the verification link went, a resend button (held back while the
// API's cooldown runs), and what to do when nothing arrives.
import { useState } from 'preact/hooks';
import type { CodeSent } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { ErrorMessage, Notice } from '../components/alert.tsx';
import { SignInLink } from '../components/sign-in-link.tsx';
import { ResendButton } from '../components/resend-button.tsx';
import type { User } from '../../shared/schemas.ts';

interface Props {
  /** The signed-in user, or null (then resending needs a sign-in first). */
  user: User | null;
  /** The address signed up with, when nobody is signed in. */
  email?: string;
  onContinue(): void;
  onSignIn(email: string): void;
  /** The API says the email is verified already: re-read the session. */
  onVerified(): void;
}

export function CheckEmailPage({ user, email, onContinue, onSignIn, onVerified }: Props) {
  const address = user?.email ?? email ?? '';
  const [availableAt, setAvailableAt] = useState<number | null>(null);
  const [sent, setSent] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function resend() {
    setBusy(true);
    setError('');
    setSent('');
    try {
      const answer = await api<CodeSent>('POST', '/auth/verify-email/send', { body: {} });
      setAvailableAt(Date.now() + answer.resendAfterSeconds * 1000);
      setSent(`We sent a new link to ${answer.sentTo}. The earlier link no longer works.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'too_many_attempts' && e.retryAfterSeconds !== null) {
        setAvailableAt(Date.now() + e.retryAfterSeconds * 1000);
        setError('A link was sent moments ago. You can ask for another when the timer runs out.');
      } else if (e instanceof ApiError && e.code === 'conflict') onVerified();
      else setError(describeError(e));
    }
    setBusy(false);
  }

  if (user?.emailVerified) {
    return (
      <main class="auth-card" aria-labelledby="check-title">
        <h1 id="check-title">Your email is verified</h1>
        <p>
          <strong>{user.email}</strong> is confirmed as yours.
        </p>
        <button type="button" class="button button--block" onClick={onContinue}>
          Continue to Twofold
        </button>
      </main>
    );
  }

  return (
    <main class="auth-card" aria-labelledby="check-title">
      <h1 id="check-title">Check your email</h1>
      <p>
        We sent a link to <strong data-testid="check-email-address">{address}</strong>. Open it to confirm the address is yours. It works
        for 24 hours.
      </p>
      <Notice tone="success">{sent}</Notice>
      <ErrorMessage>{error}</ErrorMessage>
      {user ? (
        <ResendButton label="Send the link again" availableAt={availableAt} busy={busy} onSend={() => void resend()} />
      ) : (
        <p>
          <SignInLink email={address} onSignIn={onSignIn}>
            Sign in
          </SignInLink>{' '}
          to send the link again.
        </p>
      )}
      <section class="help-box" aria-labelledby="nothing-title">
        <h2 id="nothing-title">Nothing arrived?</h2>
        <ul>
          <li>Wait a few minutes, then look in your spam or junk folder for a message from Twofold.</li>
          <li>Check the address above. If it is wrong, create your account again with the right one.</li>
          <li>Send the link again: only the newest link works.</li>
          <li>Still nothing? Your company’s mail filter may be holding it: ask your IT team to let mail from Twofold through.</li>
        </ul>
      </section>
      {user && (
        <div class="stack">
          <button type="button" class="button button--secondary button--block" onClick={onContinue}>
            Continue to Twofold
          </button>
          <p class="hint">You can use Twofold meanwhile. You’ll need a verified email to invite people and to accept invitations.</p>
        </div>
      )}
    </main>
  );
}
