// Step one: the server (shown plainly; changed only when the person says so), email and password. An error never
// clears what was typed.
import { useEffect, useState } from 'preact/hooks';
import { send } from '../browser-api.ts';
import type { DialerView } from '../messages.ts';
import { ErrorAlert, describeFailure } from '../ui/errors.tsx';
import { TextField } from '../../../shared/ui/text-field.tsx';

export function SignIn({ view, onView }: { view: DialerView; onView(view: DialerView): void }) {
  const [server, setServer] = useState(view.server);
  const [editServer, setEditServer] = useState(!view.server);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  // The first frame may come from the last view kept by the popup: follow the worker's answer until the person
  // edits the field, so a stale address is never sent back as their choice.
  useEffect(() => {
    if (!editServer) setServer(view.server);
  }, [view.server]);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      if (editServer && server.trim() && server.trim() !== view.server) await send('dialer:set-server', { server: server.trim() });
      const outcome = await send('auth:login', { email: email.trim(), password });
      if (outcome.status === 'setup_required') setError(outcome.message);
      else onView(outcome.view);
    } catch (e) {
      setError(describeFailure(e));
    }
    setBusy(false);
  }

  async function useServer(other: string) {
    setError('');
    try {
      const next = await send('dialer:set-server', { server: other });
      setServer(next.server);
      onView(next);
    } catch (e) {
      setError(describeFailure(e));
    }
  }

  return (
    <form class="stack" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Twofold</h1>
      {editServer ? (
        <TextField
          id="server"
          label="Twofold server"
          name="server"
          type="url"
          value={server}
          placeholder="https://twofold.example.com"
          required
          onValue={setServer}
        />
      ) : (
        <p class="hint" data-testid="server">
          Server: <strong>{view.server}</strong>{' '}
          <button type="button" class="link" onClick={() => setEditServer(true)}>
            Change
          </button>
        </p>
      )}
      {view.unreachable && !editServer && (
        <p class="alert alert--warning" role="status">
          Twofold did not answer at {view.server}. Check the address, or change it.
        </p>
      )}
      {view.otherServer && !editServer && (
        <p class="hint" data-testid="other-server">
          Twofold is also open in this browser at <strong>{view.otherServer}</strong>.{' '}
          <button type="button" class="link" onClick={() => void useServer(view.otherServer!)}>
            Use it instead
          </button>
        </p>
      )}
      <TextField
        id="email"
        label="Email"
        name="email"
        type="email"
        autocomplete="username"
        value={email}
        required
        autofocus
        onValue={setEmail}
      />
      <TextField
        id="password"
        label="Password"
        name="password"
        type="password"
        autocomplete="current-password"
        value={password}
        required
        onValue={setPassword}
      />
      <ErrorAlert message={error} />
      <button type="submit" class="button button--block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p class="hint">Signing in here also signs you in to the Twofold web app in this browser.</p>
    </form>
  );
}
