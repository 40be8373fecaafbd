// The options page: the dialer's server, how kept authenticators are protected, the authenticators kept in this
// browser (see, rename, remove) and the clock check.
import { useEffect, useState } from 'preact/hooks';
import { onBroadcast, send } from '../browser-api.ts';
import type { AuthenticatorSummary, VaultStatus } from '../messages.ts';
import { ClockWarning, ErrorAlert, describeFailure } from '../ui/errors.tsx';
import { Protection } from './protection.tsx';
import { ServerSettings } from './server-settings.tsx';

function Row({ item, onList }: { item: AuthenticatorSummary; onList(list: AuthenticatorSummary[]): void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(item.name);
  const rename = async (event: Event) => {
    event.preventDefault();
    onList(await send('vault:rename', { id: item.id, name }));
    setEditing(false);
  };
  return (
    <tr data-testid="authenticator">
      <td>
        {editing ? (
          <form class="row" onSubmit={rename}>
            <input
              class="grow"
              type="text"
              aria-label="Name"
              value={name}
              maxLength={120}
              onInput={(e) => setName(e.currentTarget.value)}
              required
            />
            <button class="button" type="submit">
              Save
            </button>
          </form>
        ) : (
          <strong>{item.name}</strong>
        )}
        <div class="hint">
          {item.user} on {item.origin}
        </div>
      </td>
      <td class="hint">{new Date(item.createdAt).toLocaleDateString()}</td>
      <td>
        <div class="row">
          {!editing && (
            <button class="button button--secondary" type="button" onClick={() => setEditing(true)}>
              Rename
            </button>
          )}
          <button
            class="button button--secondary"
            type="button"
            onClick={() => {
              if (confirm(`Remove “${item.name}”? Twofold will stop filling codes for ${item.user} on ${item.origin} in this browser.`)) {
                void send('vault:remove', { id: item.id }).then(onList);
              }
            }}
          >
            Remove
          </button>
        </div>
      </td>
    </tr>
  );
}

export function Options() {
  const [list, setList] = useState<AuthenticatorSummary[] | null>(null);
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [skew, setSkew] = useState<number | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    const refresh = () => {
      void send('vault:list', {}).then(setList, (e) => setError(describeFailure(e)));
      void send('vault:status', {}).then(setStatus, (e) => setError(describeFailure(e)));
    };
    refresh();
    void send('clock:status', {}).then(
      (s) => setSkew(s.skewSeconds),
      () => undefined,
    );
    // Unlocked in the popup, locked by the idle alarm, or an authenticator kept: show it.
    return onBroadcast((message) => {
      if (message.broadcast === 'vault-changed') refresh();
    });
  }, []);

  const onStatus = (next: VaultStatus) => {
    setStatus(next);
    void send('vault:list', {}).then(setList, () => undefined);
  };

  return (
    <main class="page stack">
      <h1>Twofold Dialer settings</h1>
      <ClockWarning skewSeconds={skew} />
      <ServerSettings />
      {status && <Protection status={status} onStatus={onStatus} />}
      <h2>Authenticators kept in this browser</h2>
      <p class="hint">
        Each fills the sign-in code only on the site and for the person it was kept for. The secret stays encrypted in this browser and is
        never shown.
      </p>
      <ErrorAlert message={error} />
      {list === null ? (
        <p class="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p class="muted">None yet. When you set up an authenticator app in Twofold, choose “Keep it” to add it here.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Authenticator</th>
              <th>Kept</th>
              <th>
                <span class="hint">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((item) => (
              <Row key={item.id} item={item} onList={setList} />
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
