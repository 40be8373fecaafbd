// The dialer: sign in (password, then the challenge), then place calls for the chosen account.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { onBroadcast, openOptionsPage, send } from '../browser-api.ts';
import type { DialerView } from '../messages.ts';
import { ClockWarning, describeFailure } from '../ui/errors.tsx';
import { SignIn } from './sign-in.tsx';
import { Challenge } from './challenge.tsx';
import { DialPad } from './dial-pad.tsx';
import { UnlockBanner } from './unlock-banner.tsx';

const VIEW_KEY = 'twofold.dialer-view';

/** The last view, read synchronously so the first frame is already the right screen (no tokens in it). */
function lastView(): DialerView | null {
  try {
    return JSON.parse(localStorage.getItem(VIEW_KEY) ?? 'null') as DialerView | null;
  } catch {
    return null;
  }
}

export function App() {
  const [view, setViewState] = useState<DialerView | null>(lastView);
  const [error, setError] = useState('');
  const setView = (next: DialerView) => {
    setViewState(next);
    try {
      localStorage.setItem(VIEW_KEY, JSON.stringify(next));
    } catch {
      /* not kept: the next open waits for the worker */
    }
  };

  useEffect(() => {
    const refresh = (fresh: boolean) =>
      send('dialer:view', { fresh }).then(
        (next) => {
          setError('');
          setView(next);
        },
        (e) => {
          setError(describeFailure(e));
        },
      );
    void refresh(false).then(() => refresh(true));
    return onBroadcast((message) => {
      if (message.broadcast === 'session-changed') void refresh(true);
    });
  }, []);

  useLayoutEffect(() => {
    if (view && performance.getEntriesByName('twofold:interactive').length === 0) performance.mark('twofold:interactive');
  }, [view]);

  let body: ComponentChildren;
  if (!view)
    body = error ? (
      <p class="alert alert--error" role="alert">
        {error}
      </p>
    ) : (
      <p class="muted">Loading…</p>
    );
  else if (view.signedIn) body = <DialPad view={view} onView={setView} />;
  else if (view.pending) body = <Challenge view={view} pending={view.pending} onView={setView} />;
  else body = <SignIn view={view} onView={setView} />;

  return (
    <main class="popup stack" data-state={view ? (view.signedIn ? 'signed-in' : view.pending ? 'challenge' : 'signed-out') : 'loading'}>
      {view && <ClockWarning skewSeconds={view.clockSkewSeconds} />}
      {view && error && (
        <p class="alert alert--error" role="alert">
          {error}
        </p>
      )}
      <UnlockBanner />
      {body}
      <p class="hint">
        <button type="button" class="link" onClick={() => void openOptionsPage()}>
          Kept authenticators and settings
        </button>
      </p>
    </main>
  );
}
