// The list of 2FA methods on the Security page: status, set up, make preferred, remove (after a confirmation
// that names what stops working). After an action, focus stays in the method's row, never on the page body.
import { useRef, useState } from 'preact/hooks';
import type { EnrollableMethod, MethodEnabled, TwoFactorStatus } from '../../shared/schemas.ts';
import { api } from '../api-client.ts';
import { ConfirmDialog } from '../components/dialog.tsx';
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
type CodeMethod = (typeof order)[number];

/** What stops working when a method goes: the last one takes 2FA, backup codes and trusted devices with it. */
export function removalConsequence(method: CodeMethod, status: TwoFactorStatus): string {
  const others: EnrollableMethod[] = [
    ...order.filter((m) => m !== method && status.methods[m].enabled),
    ...(status.methods.webauthn.enabled ? ['webauthn' as const] : []),
  ];
  const what =
    method === 'totp'
      ? 'Codes from your authenticator app'
      : method === 'sms'
        ? `Codes texted to ${status.methods.sms.phone ?? 'your phone'}`
        : `Codes emailed to ${status.methods.email.address ?? 'you'}`;
  if (others.length === 0) {
    return `${what} will stop working, and as it is your last method, two-factor authentication turns off: your backup codes and trusted devices stop working too, and your password alone will sign you in.`;
  }
  return `${what} will stop working for signing in to Twofold. You will sign in with ${others.map((m) => methodNames[m].toLowerCase()).join(' or ')} instead.`;
}

export function MethodsCard({ status, act, onEnabled, withReauth }: Props) {
  const [enrolling, setEnrolling] = useState<CodeMethod | null>(null);
  const [removing, setRemoving] = useState<CodeMethod | null>(null);
  const rows = useRef<Partial<Record<CodeMethod, HTMLLIElement | null>>>({});
  const focusRow = (m: CodeMethod) => rows.current[m]?.focus();
  const detail = (m: EnrollableMethod): string => {
    if (m === 'sms') return status.methods.sms.phone ?? 'A code by text message';
    if (m === 'email') return status.methods.email.address ?? 'A code by email';
    return 'Codes from an app on your phone';
  };
  async function makePreferred(m: CodeMethod) {
    await act(() => api('PUT', '/me/2fa/preferred', { body: { method: m } }), `${methodNames[m]} is now your preferred method.`);
    focusRow(m);
  }
  async function remove(m: CodeMethod) {
    setRemoving(null);
    await act(() => api('DELETE', `/me/2fa/${m}`), `${methodNames[m]} removed.`);
    focusRow(m);
  }
  return (
    <>
      <ul class="method-list">
        {order.map((m) => {
          const on = status.methods[m].enabled;
          const preferred = status.preferredMethod === m;
          const allowed = status.allowedMethods.length === 0 || status.allowedMethods.includes(m);
          return (
            <li
              key={m}
              class="method-row"
              data-testid={`method-${m}`}
              tabIndex={-1}
              ref={(el) => {
                rows.current[m] = el;
              }}
              aria-label={`${methodNames[m]}: ${on ? 'on' : 'off'}${preferred ? ', preferred' : ''}`}
            >
              <div class="method-row__main">
                <div>
                  <span class="method-row__name">{methodNames[m]}</span>
                  {preferred && <span class="badge">Preferred</span>}
                  <span class="method-row__detail">{detail(m)}</span>
                </div>
                <span class={on ? 'badge badge--on' : 'badge badge--off'}>{on ? 'On' : 'Off'}</span>
              </div>
              <div class="button-row button-row--tight">
                {/* Remove comes first: when "Make preferred" goes away, nothing slides under the pointer. */}
                {on && (
                  <button type="button" class="button button--secondary button--small" onClick={() => setRemoving(m)}>
                    Remove
                  </button>
                )}
                {on && !preferred && (
                  <button type="button" class="button button--secondary button--small" onClick={() => makePreferred(m)}>
                    Make preferred
                  </button>
                )}
                {!on && allowed && enrolling !== m && (
                  <button type="button" class="button button--small" onClick={() => setEnrolling(m)}>
                    Set up
                  </button>
                )}
                {!on && !allowed && <span class="hint">Not allowed by your account’s policy</span>}
              </div>
              {enrolling === m && (
                <div class="method-row__enrol">
                  {m === 'totp' ? (
                    <EnrolTotp
                      withReauth={withReauth}
                      onEnabled={(r) => {
                        setEnrolling(null);
                        onEnabled(r, m);
                      }}
                      onCancel={() => setEnrolling(null)}
                    />
                  ) : (
                    <EnrolByCode
                      method={m}
                      withReauth={withReauth}
                      previousPhone={m === 'sms' ? status.methods.sms.previousPhone : null}
                      onEnabled={(r) => {
                        setEnrolling(null);
                        onEnabled(r, m);
                      }}
                      onCancel={() => setEnrolling(null)}
                    />
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {removing && (
        <ConfirmDialog
          title={`Remove ${methodNames[removing].toLowerCase()}?`}
          action="Remove"
          onAction={() => remove(removing)}
          onClose={() => setRemoving(null)}
          testId="remove-method-dialog"
        >
          <p>{removalConsequence(removing, status)}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
