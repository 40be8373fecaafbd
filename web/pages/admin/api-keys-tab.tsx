// API keys: list, create (the key is shown once), revoke (after a confirmation naming what stops working).
import { useState } from 'preact/hooks';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Item, ItemButton } from '../../components/item.tsx';
import { CopyAndDone } from '../../components/copy-and-done.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { Skeleton } from '../../components/skeleton.tsx';
import { useToast } from '../../components/toast.tsx';
import { useTabData } from './use-tab-data.ts';
import { formatDate } from '../../labels.ts';
import { TextField } from '../../../shared/ui/text-field.tsx';

interface ApiKey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function ApiKeysTab({ accountId, isOwner }: { accountId: string; isOwner: boolean }) {
  const url = `/accounts/${encodeURIComponent(accountId)}/api-keys`;
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState('');
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const { withReauth, dialog } = useReauth();
  const { show: notify, toast } = useToast();
  const load = useTabData(
    accountId,
    keys !== null,
    async () => {
      setKeys(await api<ApiKey[]>('GET', url));
    },
    setError,
  );
  async function create(event: Event) {
    event.preventDefault();
    setError('');
    try {
      const answer = await withReauth(() => api<{ id: string; key: string }>('POST', url, { body: { name } }));
      setCreated({ name, key: answer.key });
      setName('');
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  }
  async function revoke(key: ApiKey) {
    setRevoking(null);
    setError('');
    try {
      await withReauth(() => api('DELETE', `${url}/${encodeURIComponent(key.id)}`));
      await load();
      notify(`${key.name} revoked.`);
    } catch (e) {
      setError(describeError(e));
    }
  }
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p class="muted">
        Keys let your systems call the API. They skip two-factor authentication, so they only work from the ranges in IP rules.
      </p>
      {created && (
        <div class="card stack" data-testid="new-api-key">
          <h3>Your new key “{created.name}”</h3>
          <p>
            <strong>Copy it now.</strong> You won’t be able to see it again.
          </p>
          <code class="shown-once">{created.key}</code>
          <CopyAndDone
            key={created.key}
            text={created.key}
            copyLabel="Copy key"
            refused="Select the key and copy it by hand."
            onDone={() => setCreated(null)}
          />
        </div>
      )}
      {isOwner && (
        <form class="card inline-form" onSubmit={create}>
          <TextField
            id="key-name"
            label="Key name"
            type="text"
            required
            maxLength={100}
            value={name}
            placeholder="e.g. Billing sync"
            onValue={setName}
          />
          <button type="submit" class="button">
            Create key
          </button>
        </form>
      )}
      <ErrorMessage>{error}</ErrorMessage>
      {!keys && !error && (
        <div class="card">
          <Skeleton label="Loading the API keys" shape="table" rows={2} />
        </div>
      )}
      {keys && (
        <div class="card">
          {keys.length === 0 ? (
            <p class="muted">No API keys yet.</p>
          ) : (
            <ul class="item-list">
              {keys.map((k) => (
                <Item
                  key={k.id}
                  title={k.name}
                  meta={`Created ${formatDate(k.createdAt)} · ${k.lastUsedAt ? `last used ${formatDate(k.lastUsedAt)}` : 'never used'}`}
                >
                  {isOwner && (
                    <ItemButton label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                      Revoke
                    </ItemButton>
                  )}
                </Item>
              ))}
            </ul>
          )}
        </div>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          action="Revoke key"
          onAction={() => revoke(revoking)}
          onClose={() => setRevoking(null)}
          testId="revoke-key-dialog"
        >
          <p>
            Every system that calls the API with <strong>{revoking.name}</strong> will be refused from now on
            {revoking.lastUsedAt ? ` (it was last used ${formatDate(revoking.lastUsedAt)})` : ''}. This cannot be undone: you would create a
            new key and put it in place of the old one.
          </p>
        </ConfirmDialog>
      )}
      {dialog}
      {toast}
    </section>
  );
}
