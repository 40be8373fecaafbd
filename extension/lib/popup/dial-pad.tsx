// Signed in: pick the account, type a number, place the call; recent calls below.
import { useEffect, useState } from 'preact/hooks';
import type { Call } from '../../../shared/schemas.ts';
import { send } from '../browser-api.ts';
import type { DialerView } from '../messages.ts';
import { ErrorAlert, describeFailure } from '../ui/errors.tsx';
import { GraceLine } from './grace-line.tsx';

export function DialPad({ view, onView }: { view: DialerView; onView(view: DialerView): void }) {
  const signedIn = view.signedIn!;
  const accountId = signedIn.selectedAccountId;
  const [to, setTo] = useState('');
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [callsError, setCallsError] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setCalls(null);
    setCallsError('');
    if (accountId)
      void send('calls:list', { accountId }).then(setCalls, (e) => {
        setCalls([]);
        setCallsError(describeFailure(e));
      });
  }, [accountId]);

  async function call(event: Event) {
    event.preventDefault();
    const number = to.replace(/[\s().-]/g, ''); // the worker checks E.164 and explains
    if (!accountId) return;
    setBusy(true);
    setError('');
    setStatus('');
    try {
      const placed = await send('calls:place', { accountId, to: number });
      setStatus(`Call to ${placed.to} is ${placed.status}.`);
      setCalls((list) => [placed, ...(list ?? []).filter((c) => c.id !== placed.id)].slice(0, 20));
      setTo('');
    } catch (e) {
      setError(describeFailure(e));
    }
    setBusy(false);
  }

  async function logout() {
    setBusy(true);
    try {
      onView(await send('auth:logout', {}));
    } catch (e) {
      setError(describeFailure(e));
      setBusy(false);
    }
  }

  return (
    <div class="stack">
      <div class="bar">
        <span class="who" title={signedIn.user.email} data-testid="signed-in-as">
          {signedIn.user.email}
        </span>
        <button type="button" class="button button--secondary" onClick={() => void logout()} disabled={busy}>
          Log out
        </button>
      </div>
      {signedIn.setupDueBy && <GraceLine dueBy={signedIn.setupDueBy} server={view.server} />}
      {signedIn.accounts.length > 1 && (
        <div>
          <label for="account">Account</label>
          <select
            id="account"
            value={accountId ?? ''}
            onChange={(e) => void send('account:select', { accountId: e.currentTarget.value }).then(onView)}
          >
            {signedIn.accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {signedIn.accounts.length === 1 && (
        <p class="hint">
          Account: <strong>{signedIn.accounts[0]!.name}</strong>
        </p>
      )}
      <form class="stack" onSubmit={call} aria-labelledby="call-title">
        <h1 id="call-title">Place a call</h1>
        <div>
          <label for="to">Number to call</label>
          <div class="row">
            <input
              id="to"
              class="grow"
              name="to"
              type="tel"
              autocomplete="tel"
              inputMode="tel"
              placeholder="+61412345678"
              value={to}
              onInput={(e) => setTo(e.currentTarget.value)}
              aria-describedby="to-hint"
              required
              autofocus
            />
            <button type="submit" class="button" disabled={busy || !accountId}>
              Call
            </button>
          </div>
          <p class="hint" id="to-hint">
            International format (E.164): + country code, then the number.
          </p>
        </div>
        {status && (
          <p class="alert alert--ok" role="status" data-testid="call-status">
            {status}
          </p>
        )}
        <ErrorAlert message={error} />
      </form>
      <h2>Recent calls</h2>
      {calls === null ? (
        <p class="muted">Loading…</p>
      ) : callsError && calls.length === 0 ? (
        <p class="muted">Recent calls are not available: {callsError}</p>
      ) : calls.length === 0 ? (
        <p class="muted">No calls yet.</p>
      ) : (
        <ul class="calls" data-testid="recent-calls">
          {calls.slice(0, 10).map((c) => (
            <li key={c.id}>
              <span>{c.to}</span>
              <time dateTime={c.createdAt}>
                {new Date(c.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · {c.status}
              </time>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
