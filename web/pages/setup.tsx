// Forced setup: an account requires two-factor authentication. Says which and why, offers only the
// allowed methods, walks through the chosen one, then shows the backup codes until they are kept.
import { useState } from 'preact/hooks';
import type { EnrollableMethod, MethodEnabled, RequiredBy } from '../../shared/schemas.ts';
import { EnrolTotp } from '../components/enrol-totp.tsx';
import { EnrolByCode } from '../components/enrol-by-code.tsx';
import { BackupCodesPanel } from '../components/backup-codes-panel.tsx';
import { methodDescriptions, methodNames, reasonText } from '../labels.ts';
import { useFocusOnMount } from '../components/use-focus.ts';
import { RecoveryCodeForm } from '../components/recovery-code-form.tsx';
import { Notice } from '../components/alert.tsx';
import { AddSecurityKey } from '../components/add-security-key.tsx';
import { useReauth } from '../components/reauth.tsx';
import { dueSentence } from '../../shared/due-date.ts';

export interface SetupInfo {
  challengeId?: string;
  allowedMethods: EnrollableMethod[];
  requiredBy: RequiredBy[];
  /** Whose codes these will be (printed on the backup codes sheet). */
  email?: string;
  /** What just happened (a recovery code passed, an invitation accepted). */
  notice?: string;
}

export const RECOVERED_NOTICE =
  'Your recovery code worked and you are signed in. It cannot be used again, so set up two-factor authentication now: you will need it the next time you sign in.';

interface Props {
  setup: SetupInfo;
  onDone(): void;
  /** A recovery code passed the requirement once: the person is signed in and still has to set up. */
  onRecovered(): void;
  onSignOut(): void;
  /** In a grace period: the due date, and the way to go on without 2FA until then. */
  dueBy?: string;
  onLater?(): void;
}

const order: EnrollableMethod[] = ['totp', 'webauthn', 'sms', 'email'];

export function SetupPage({ setup, onDone, onRecovered, onSignOut, dueBy, onLater }: Props) {
  const allowed = order.filter((m) => setup.allowedMethods.includes(m));
  const [method, setMethod] = useState<EnrollableMethod | null>(allowed.length === 1 ? allowed[0]! : null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const { withReauth, dialog } = useReauth();

  function enabled(result: MethodEnabled) {
    if (result.backupCodes?.length) setCodes(result.backupCodes);
    else onDone();
  }

  if (codes) {
    return (
      <main class="auth-card auth-card--wide" aria-labelledby="codes-title">
        <h1 id="codes-title" tabIndex={-1}>
          Save your backup codes
        </h1>
        <p>
          Two-factor authentication is on. If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe, like
          a password manager.
        </p>
        <BackupCodesPanel codes={codes} email={setup.email} offerTick onSaved={() => setSaved(true)} />
        <button type="button" class="button button--block" disabled={!saved} onClick={onDone} aria-describedby="codes-gate">
          Continue
        </button>
        <p class="hint" id="codes-gate">
          {saved ? 'Thanks — you can continue now.' : 'Copy, download or print your codes, or tick “I have saved them”, to continue.'}
        </p>
      </main>
    );
  }

  return (
    <main class="auth-card auth-card--wide" aria-labelledby="setup-title">
      <h1 id="setup-title" ref={heading} tabIndex={-1}>
        Set up two-factor authentication
      </h1>
      <Notice tone="success">{setup.notice}</Notice>
      <div class="notice notice--info" data-testid="required-by">
        {setup.requiredBy.length > 0 ? (
          <ul class="plain-list">
            {setup.requiredBy.map((r) => (
              <li key={r.accountId}>
                <strong>{r.accountName}</strong> requires this because {reasonText(r.reason)}.
              </li>
            ))}
          </ul>
        ) : (
          'An account you belong to requires two-factor authentication.'
        )}
        <p class="hint">You’ll use a second step, besides your password, each time you sign in.</p>
        {dueBy && (
          <p data-testid="setup-due">
            <strong>Set it up {dueSentence(dueBy)}.</strong> Until then you can continue without it.
          </p>
        )}
      </div>
      {method === null ? (
        <fieldset class="choice-list">
          <legend>Choose how you’ll get your codes</legend>
          {allowed.map((m) => (
            <button type="button" key={m} class="choice" onClick={() => setMethod(m)} data-method={m}>
              <span class="choice__title">
                {methodNames[m]}
                {m === 'totp' && allowed.length > 1 && <span class="badge">Recommended</span>}
              </span>
              <span class="choice__text">{methodDescriptions[m]}</span>
            </button>
          ))}
        </fieldset>
      ) : (
        <section class="stack" aria-labelledby="method-title">
          <h2 id="method-title">{methodNames[method]}</h2>
          {method === 'totp' ? (
            <EnrolTotp bearer={setup.challengeId} onEnabled={enabled} onCancel={allowed.length > 1 ? () => setMethod(null) : undefined} />
          ) : method === 'webauthn' ? (
            <AddSecurityKey
              bearer={setup.challengeId}
              run={withReauth}
              onAdded={(r) => enabled({ enabled: true, backupCodes: r.backupCodes })}
              onCancel={allowed.length > 1 ? () => setMethod(null) : undefined}
            />
          ) : (
            <EnrolByCode
              method={method}
              bearer={setup.challengeId}
              onEnabled={enabled}
              onCancel={allowed.length > 1 ? () => setMethod(null) : undefined}
            />
          )}
        </section>
      )}
      <div class="setup-foot">
        {setup.challengeId && <RecoveryCodeForm challengeId={setup.challengeId} onSignedIn={onRecovered} />}
        {onLater ? (
          <button type="button" class="link-button" onClick={onLater}>
            Set up later
          </button>
        ) : (
          <button type="button" class="link-button" onClick={onSignOut}>
            Not now — sign out
          </button>
        )}
      </div>
      {dialog}
    </main>
  );
}
