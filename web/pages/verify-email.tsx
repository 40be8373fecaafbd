// The emailed verification link (`/verify-email#token=…`): the token is read from the fragment, cleared from
// the address bar and posted. Then "Email verified" (continue, or sign in with the email filled in), or, for a
// used or expired link, a way to get a new one.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, describeError } from '../api-client.ts';
import { LinkProblem } from '../components/link-problem.tsx';
import { SignInLink } from '../components/sign-in-link.tsx';
import { Skeleton } from '../components/skeleton.tsx';
import type { User } from '../../shared/schemas.ts';
import { takeHashToken } from '../link-token.ts';

interface Props {
  /** Who is signed in here, if anyone. */
  user: User | null;
  /** The email is verified: re-read the session so the app knows. */
  onVerified(): void;
  onContinue(): void;
  onSignIn(email: string): void;
  onCheckEmail(): void;
}

type State =
  | { kind: 'verifying' }
  | { kind: 'verified'; user: User }
  | { kind: 'expired' }
  | { kind: 'missing' }
  | { kind: 'failed'; message: string };

export function VerifyEmailPage({ user, onVerified, onContinue, onSignIn, onCheckEmail }: Props) {
  const [state, setState] = useState<State>({ kind: 'verifying' });
  useEffect(() => {
    const token = takeHashToken();
    if (!token) {
      setState({ kind: 'missing' });
      return;
    }
    api<{ user: User }>('POST', '/auth/verify-email', { body: { token } }).then(
      (answer) => {
        setState({ kind: 'verified', user: answer.user });
        onVerified();
      },
      (e) =>
        setState(
          e instanceof ApiError && e.code === 'challenge_expired' ? { kind: 'expired' } : { kind: 'failed', message: describeError(e) },
        ),
    );
  }, []);

  if (state.kind === 'verifying') {
    return (
      <main class="auth-card" aria-labelledby="verify-title">
        <h1 id="verify-title">Verifying your email…</h1>
        <Skeleton label="Checking your link" rows={2} />
      </main>
    );
  }
  if (state.kind === 'verified') {
    const here = user?.id === state.user.id;
    return (
      <main class="auth-card" aria-labelledby="verify-title">
        <h1 id="verify-title">Email verified</h1>
        <p class="notice notice--success">
          <strong>{state.user.email}</strong> is confirmed as yours. Thank you.
        </p>
        {here ? (
          <button type="button" class="button button--block" onClick={onContinue}>
            Continue to Twofold
          </button>
        ) : (
          <>
            <p>Sign in to start using Twofold.</p>
            <SignInLink email={state.user.email} onSignIn={onSignIn} class="button button--block" testId="verified-sign-in">
              Sign in as {state.user.email}
            </SignInLink>
          </>
        )}
      </main>
    );
  }
  const unverifiedHere = user && !user.emailVerified;
  return (
    <LinkProblem
      titleId="verify-title"
      problem={state}
      expiredTitle="This link has expired"
      failedTitle="We could not verify your email"
      whyExpired="Verification links work once, for 24 hours, and only the newest one works. This one was already used, has run out, or was replaced by a newer link."
      codeName="verification"
    >
      {user?.emailVerified && (
        <p>
          Your email, <strong>{user.email}</strong>, is already verified: nothing more to do.
        </p>
      )}
      {unverifiedHere ? (
        <button type="button" class="button button--block" onClick={onCheckEmail}>
          Get a new link
        </button>
      ) : user ? (
        <button type="button" class="button button--block" onClick={onContinue}>
          Continue to Twofold
        </button>
      ) : (
        <SignInLink email="" onSignIn={onSignIn} class="button button--block">
          Sign in to get a new link
        </SignInLink>
      )}
    </LinkProblem>
  );
}
