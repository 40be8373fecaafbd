// "Cannot reach Twofold, retrying": shown while calls get no answer, with the next try counting down and a way to
// try at once. It sits over the page (fixed), so nothing moves, and it is a polite live region.
import { retryNow, useConnection } from '../connection.ts';
import { useSecondsLeft } from './countdown.tsx';

function RetryLine() {
  const { retryAt } = useConnection();
  const left = useSecondsLeft(retryAt);
  return (
    <>
      <span>{left > 0 ? `Trying again in ${left} s.` : 'Trying again…'}</span>
      <button type="button" class="link-button" onClick={retryNow}>
        Try now
      </button>
    </>
  );
}

export function ConnectionBanner({ signedIn = false }: { signedIn?: boolean }) {
  const { reachable } = useConnection();
  return (
    <div class="connection-region" role="status">
      {!reachable && (
        <div class="connection-banner" data-testid="connection-banner">
          <strong>Can’t reach Twofold.</strong> {signedIn ? 'You’re still signed in; check your connection.' : 'Check your connection.'}{' '}
          <RetryLine />
        </div>
      )}
    </div>
  );
}

/** The first check got no answer: say so instead of showing a sign-in form as if signed out. */
export function Unreachable() {
  return (
    <main class="auth-card" aria-labelledby="unreachable-title" data-testid="unreachable">
      <h1 id="unreachable-title">Can’t reach Twofold</h1>
      <p>Your connection may be down, or Twofold may be restarting. We’ll keep trying and carry on as soon as it answers.</p>
      <p class="hint" role="status">
        <RetryLine />
      </p>
    </main>
  );
}
