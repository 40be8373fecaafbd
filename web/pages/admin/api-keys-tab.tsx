// API keys: list, create (the key is shown once), revoke.
import { useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage, Notice } from '../../components/alert.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { formatDate } from '../../labels.ts';

interface ApiKey { id: string; name: string; createdAt: string; lastUsedAt: string | null }

export function ApiKeysTab({ accountId, isOwner }: { accountId: string; isOwner: boolean }) {
  const url = `/accounts/${encodeURIComponent(accountId)}/api-keys`;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState('');
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const { withReauth, dialog } = useReauth();
  async function load() {
    try { setKeys(await api<ApiKey[]>('GET', url)); } catch (e) { setKeys([]); setError(describeError(e)); }
  }
  useEffect(() => { void load(); }, [accountId]);
  async function create(event: Event) {
    event.preventDefault();
    setError('');
    setCopied('');
    try {
      const answer = await withReauth(() => api<{ id: string; key: string }>('POST', url, { body: { name } }));
      setCreated({ name, key: answer.key });
      setName('');
      await load();
    } catch (e) { setError(describeError(e)); }
  }
  async function revoke(key: ApiKey) {
    setError('');
    try {
      await withReauth(() => api('DELETE', `${url}/${encodeURIComponent(key.id)}`));
      setNotice(`${key.name} revoked.`);
      await load();
    } catch (e) { setError(describeError(e)); }
  }
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p class="muted">Keys let your systems call the API. They skip two-factor authentication, so they only work from the ranges in IP rules.</p>
      <Notice tone="success">{notice}</Notice>
      {created && (
        <div class="card stack" data-testid="new-api-key">
          <h3>Your new key “{created.name}”</h3>
          <p><strong>Copy it now.</strong> You won’t be able to see it again.</p>
          <code class="shown-once">{created.key}</code>
          <div class="button-row">
            <button type="button" class="button button--secondary" onClick={() => navigator.clipboard.writeText(created.key).then(() => setCopied('Copied.'), () => setCopied('Select the key and copy it by hand.'))}>Copy key</button>
            <button type="button" class="button" onClick={() => setCreated(null)}>Done</button>
          </div>
          <p class="hint" role="status">{copied || '\u00a0'}</p>
        </div>
      )}
      {isOwner && (
        <form class="card inline-form" onSubmit={create}>
          <div class="field">
            <label for="key-name">Key name</label>
            <input id="key-name" type="text" required maxLength={100} value={name} placeholder="e.g. Billing sync" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="button">Create key</button>
        </form>
      )}
      <ErrorMessage>{error}</ErrorMessage>
      {keys && (
        <div class="card">
          {keys.length === 0 ? <p class="muted">No API keys yet.</p> : (
            <ul class="item-list">
              {keys.map((k) => (
                <li key={k.id} class="item">
                  <div><span class="item__title">{k.name}</span>
                    <span class="item__meta">Created {formatDate(k.createdAt)} · {k.lastUsedAt ? `last used ${formatDate(k.lastUsedAt)}` : 'never used'}</span></div>
                  {isOwner && <button type="button" class="button button--secondary button--small" aria-label={`Revoke ${k.name}`} onClick={() => revoke(k)}>Revoke</button>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {dialog}
    </section>
  );
}
