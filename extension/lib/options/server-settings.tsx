// The dialer's server, shown plainly and changed only here or under the popup's "Change": the extension was
// built for one (PUBLIC_URL), and never follows another site by itself.
import { useEffect, useState } from 'preact/hooks';
import { hasHostAccess, requestHostAccess, send } from '../browser-api.ts';
import { ErrorAlert, describeFailure } from '../ui/errors.tsx';

export function ServerSettings() {
  const [server, setServer] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [allowed, setAllowed] = useState(true);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');

  const show = (origin: string) => {
    setServer(origin);
    void hasHostAccess(origin).then(setAllowed, () => setAllowed(true));
  };

  useEffect(() => {
    void send('dialer:view', { fresh: false }).then(
      (view) => {
        show(view.server);
        setTyped((current) => current || view.server); // what the person already typed stays
      },
      (e) => setError(describeFailure(e)),
    );
  }, []);

  async function save(event: Event) {
    event.preventDefault();
    setError('');
    setNotice('');
    try {
      const view = await send('dialer:set-server', { server: typed.trim() });
      show(view.server);
      setTyped(view.server);
      setNotice(`The dialer now uses ${view.server}.`);
    } catch (e) {
      setError(describeFailure(e));
    }
  }

  return (
    <section class="stack" aria-labelledby="server-title">
      <h2 id="server-title">Server</h2>
      <p data-testid="current-server">
        The dialer signs in to <strong>{server ?? '…'}</strong>.
      </p>
      {server && !allowed && (
        <p class="alert alert--warning" role="alert">
          This browser does not let Twofold Dialer reach {server} yet.{' '}
          <button type="button" class="link" onClick={() => void requestHostAccess(server).then(setAllowed)}>
            Allow access
          </button>
        </p>
      )}
      <form class="stack" onSubmit={save}>
        <div>
          <label for="server">Twofold server</label>
          <div class="row">
            <input
              id="server"
              class="grow"
              type="url"
              value={typed}
              required
              placeholder="https://twofold.example.com"
              aria-describedby="server-hint"
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
            <button type="submit" class="button">
              Use this server
            </button>
          </div>
          <p class="hint" id="server-hint">
            The address of your Twofold web app. This extension may use only the servers it was built for.
          </p>
        </div>
        {notice && (
          <p class="alert alert--ok" role="status">
            {notice}
          </p>
        )}
        <ErrorAlert message={error} />
      </form>
    </section>
  );
}
