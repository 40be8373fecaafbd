// Trusted devices ("forget") and sessions ("sign out") on the Security page.
import type { Device, SessionListItem } from '../../shared/schemas.ts';
import { api } from '../api-client.ts';
import { formatDate } from '../labels.ts';
import { Item, ItemButton } from '../components/item.tsx';

type Act = (action: () => Promise<unknown>, done?: string) => Promise<boolean>;

export function DevicesCard({ devices, act }: { devices: Device[]; act: Act }) {
  return (
    <section class="card" aria-labelledby="devices-title">
      <div class="card__head">
        <h2 id="devices-title">Trusted devices</h2>
        {devices.length > 1 && (
          <button
            type="button"
            class="button button--secondary button--small"
            onClick={() => act(() => api('DELETE', '/me/devices'), 'All devices forgotten.')}
          >
            Forget all
          </button>
        )}
      </div>
      {devices.length === 0 ? (
        <p class="muted" data-testid="no-devices">
          No device is remembered. You’ll be asked for a code each time you sign in.
        </p>
      ) : (
        <ul class="item-list" data-testid="devices">
          {devices.map((d) => (
            <Item key={d.id} title={d.name} meta={`Remembered ${formatDate(d.createdAt)} · until ${formatDate(d.expiresAt)}`}>
              <ItemButton
                label={`Forget ${d.name}`}
                onClick={() =>
                  act(
                    () => api('DELETE', `/me/devices/${encodeURIComponent(d.id)}`),
                    `${d.name} forgotten. It will be asked for a code next time.`,
                  )
                }
              >
                Forget
              </ItemButton>
            </Item>
          ))}
        </ul>
      )}
    </section>
  );
}

const clientNames = { web: 'Web app', dialer: 'Dialer extension' } as const;

export function SessionsCard({ sessions, act, onSignedOut }: { sessions: SessionListItem[]; act: Act; onSignedOut(): void }) {
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you’re signed in</h2>
      <ul class="item-list" data-testid="sessions">
        {sessions.map((s) => {
          const what = s.clients.length ? s.clients.map((c) => clientNames[c]).join(' and ') : 'Signed in';
          return (
            <Item
              key={s.id}
              title={
                <>
                  {what}
                  {s.current && <span class="badge">This browser</span>}
                </>
              }
              meta={[s.ip, `last used ${formatDate(s.lastUsedAt)}`].filter(Boolean).join(' · ')}
            >
              <ItemButton
                label={`Sign out ${what}${s.current ? ' (this browser)' : ''}`}
                onClick={async () => {
                  const ok = await act(() => api('DELETE', `/me/sessions/${encodeURIComponent(s.id)}`), 'Signed out.');
                  if (ok && s.current) onSignedOut();
                }}
              >
                Sign out
              </ItemButton>
            </Item>
          );
        })}
      </ul>
    </section>
  );
}
