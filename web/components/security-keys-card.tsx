// Security keys and passkeys on the Security page: each key with when it was added and last used; add one (name
// it, touch it), rename one, remove one (confirm, and the API may ask to re-authenticate).
import { useState } from 'preact/hooks';
import type { TwoFactorStatus } from '../../shared/schemas.ts';
import type { KeyAdded, SecurityKey } from '../../shared/webauthn.ts';
import { api } from '../api-client.ts';
import { formatDate } from '../labels.ts';
import { AddSecurityKey } from './add-security-key.tsx';
import { ConfirmDialog, Dialog } from './dialog.tsx';
import { Item, ItemButton } from './item.tsx';
import { ErrorMessage } from './alert.tsx';
import { TextField } from '../../shared/ui/text-field.tsx';

interface Props {
  status: TwoFactorStatus;
  act(action: () => Promise<unknown>, done?: string): Promise<boolean>;
  run<T>(call: () => Promise<T>): Promise<T>;
  onAdded(result: KeyAdded): void;
}

export function SecurityKeysCard({ status, act, run, onAdded }: Props) {
  const { enabled, credentials } = status.methods.webauthn;
  const allowed = status.allowedMethods.includes('webauthn');
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<SecurityKey | null>(null);
  const [removing, setRemoving] = useState<SecurityKey | null>(null);
  const preferred = status.preferredMethod === 'webauthn';

  async function remove(key: SecurityKey) {
    setRemoving(null);
    await act(() => api('DELETE', `/me/2fa/webauthn/${encodeURIComponent(key.id)}`), `${key.name} removed.`);
  }

  return (
    <section class="card" aria-labelledby="keys-title" data-testid="security-keys">
      <div class="card__head">
        {/* Named without "Security", so the page's own heading stays the one "Security" heading. */}
        <h2 id="keys-title">Passkeys and hardware keys</h2>
        <span class={enabled ? 'badge badge--on' : 'badge badge--off'}>{enabled ? 'On' : 'Off'}</span>
      </div>
      <p class="muted">
        The strongest second step: a security key you touch (USB or NFC), or a passkey on your device. A fake sign-in page can’t use it.
        {preferred && <span class="badge">Preferred</span>}
      </p>
      {credentials.length > 0 && (
        <ul class="item-list" data-testid="key-list">
          {credentials.map((key) => (
            <Item
              key={key.id}
              title={key.name}
              meta={`Added ${formatDate(key.createdAt)} · ${key.lastUsedAt ? `last used ${formatDate(key.lastUsedAt)}` : 'never used yet'}`}
            >
              <div class="button-row button-row--tight">
                <ItemButton label={`Rename ${key.name}`} onClick={() => setRenaming(key)}>
                  Rename
                </ItemButton>
                <ItemButton label={`Remove ${key.name}`} onClick={() => setRemoving(key)}>
                  Remove
                </ItemButton>
              </div>
            </Item>
          ))}
        </ul>
      )}
      <div class="button-row">
        {enabled && !preferred && (
          <button
            type="button"
            class="button button--secondary button--small"
            onClick={() =>
              act(
                () => api('PUT', '/me/2fa/preferred', { body: { method: 'webauthn' } }),
                'Your security key is now your preferred method.',
              )
            }
          >
            Make preferred
          </button>
        )}
        {allowed && !adding && (
          <button
            type="button"
            class={enabled ? 'button button--secondary button--small' : 'button button--small'}
            onClick={() => setAdding(true)}
          >
            {enabled ? 'Add another key' : 'Add a security key'}
          </button>
        )}
        {!allowed && <span class="hint">Not allowed by your account’s policy</span>}
      </div>
      {adding && (
        <div class="method-row__enrol">
          <AddSecurityKey
            run={run}
            onAdded={(r) => {
              setAdding(false);
              onAdded(r);
            }}
            onCancel={() => setAdding(false)}
          />
        </div>
      )}
      {renaming && <RenameKey keyToRename={renaming} act={act} onClose={() => setRenaming(null)} />}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          action="Remove key"
          onAction={() => void remove(removing)}
          onClose={() => setRemoving(null)}
          testId="remove-key-dialog"
        >
          <p>You won’t be able to sign in with this key any more.{credentials.length === 1 && ' It is your only key.'}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function RenameKey({ keyToRename, act, onClose }: { keyToRename: SecurityKey; act: Props['act']; onClose(): void }) {
  const [name, setName] = useState(keyToRename.name);
  const [error, setError] = useState('');
  async function save(event: Event) {
    event.preventDefault();
    if (!name.trim()) {
      setError('Give the key a name.');
      return;
    }
    onClose();
    await act(() => api('PUT', `/me/2fa/webauthn/${encodeURIComponent(keyToRename.id)}`, { body: { name: name.trim() } }), 'Key renamed.');
  }
  return (
    <Dialog title="Rename security key" onClose={onClose} testId="rename-key-dialog">
      <form class="stack" onSubmit={save}>
        <TextField id="rename-key" label="Name" value={name} maxLength={64} onValue={setName} />
        <ErrorMessage>{error}</ErrorMessage>
        <div class="button-row">
          <button type="submit" class="button">
            Save
          </button>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
