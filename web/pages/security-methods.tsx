// The list of 2FA methods on the Security page: status, set up, make preferred, remove.
import { useState } from 'preact/hooks';
import type { EnrollableMethod, MethodEnabled, TwoFactorStatus } from '../../shared/schemas.ts';
import { api } from '../api-client.ts';
import { EnrolTotp } from '../components/enrol-totp.tsx';
import { EnrolByCode } from '../components/enrol-by-code.tsx';
import { methodNames } from '../labels.ts';

interface Props {
  status: TwoFactorStatus;
  act(action: () => Promise<unknown>, done?: string): Promise<boolean>;
  onEnabled(result: MethodEnabled, method: EnrollableMethod): void;
  /** Adding a method while 2FA is on needs a fresh proof: the page's reauth dialog. */
  withReauth<T>(call: () => Promise<T>): Promise<T>;
}

/** The code methods; security keys have their own card (security-keys-card.tsx). */
const order = ['totp', 'sms', 'email'] as const;

export function MethodsCard({ status, act, onEnabled, withReauth }: Props) {
  const [enrolling, setEnrolling] = useState<(typeof order)[number] | null>(null);
  const detail = (m: EnrollableMethod): string => {
    if (m === 'sms') return status.methods.sms.phone ?? 'A code by text message';
    if (m === 'email') return status.methods.email.address ?? 'A code by email';
    return 'Codes from an app on your phone';
  };
  return (
    <ul class="method-list">
      {order.map((m) => {
        const on = status.methods[m].enabled;
        const preferred = status.preferredMethod === m;
        const allowed = status.allowedMethods.length === 0 || status.allowedMethods.includes(m);
        return (
          <li key={m} class="method-row" data-testid={`method-${m}`}>
            <div class="method-row__main">
              <div>
                <span class="method-row__name">{methodNames[m]}</span>
                {preferred && <span class="badge">Preferred</span>}
                <span class="method-row__detail">{detail(m)}</span>
              </div>
              <span class={on ? 'badge badge--on' : 'badge badge--off'}>{on ? 'On' : 'Off'}</span>
            </div>
            <div class="button-row button-row--tight">
              {on && !preferred && (
                <button type="button" class="button button--secondary button--small"
                  onClick={() => act(() => api('PUT', '/me/2fa/preferred', { body: { method: m } }), `${methodNames[m]} is now your preferred method.`)}>
                  Make preferred
                </button>
              )}
              {on && (
                <button type="button" class="button button--secondary button--small"
                  onClick={() => act(() => api('DELETE', `/me/2fa/${m}`), `${methodNames[m]} removed.`)}>
                  Remove
                </button>
              )}
              {!on && allowed && enrolling !== m && (
                <button type="button" class="button button--small" onClick={() => setEnrolling(m)}>Set up</button>
              )}
              {!on && !allowed && <span class="hint">Not allowed by your account’s policy</span>}
            </div>
            {enrolling === m && (
              <div class="method-row__enrol">
                {m === 'totp'
                  ? <EnrolTotp withReauth={withReauth} onEnabled={(r) => { setEnrolling(null); onEnabled(r, m); }} onCancel={() => setEnrolling(null)} />
                  : <EnrolByCode method={m} withReauth={withReauth} previousPhone={m === 'sms' ? status.methods.sms.previousPhone : null}
                      onEnabled={(r) => { setEnrolling(null); onEnabled(r, m); }} onCancel={() => setEnrolling(null)} />}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
