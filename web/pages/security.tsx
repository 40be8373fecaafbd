// My account > Security: methods, backup codes, trusted devices, sessions, and turning 2FA off.
import { useEffect, useState } from 'preact/hooks';
import type { Device, EnrollableMethod, MethodEnabled, SessionListItem, TwoFactorStatus } from '../../shared/schemas.ts';
import { api, describeError } from '../api-client.ts';
import { ErrorMessage } from '../components/alert.tsx';
import { ConfirmDialog, Dialog } from '../components/dialog.tsx';
import { Skeleton } from '../components/skeleton.tsx';
import { useToast } from '../components/toast.tsx';
import { useReconnect } from '../connection.ts';
import { useReauth } from '../components/reauth.tsx';
import { BackupCodesPanel } from '../components/backup-codes-panel.tsx';
import { MethodsCard } from './security-methods.tsx';
import { DevicesCard, SessionsCard } from './security-devices.tsx';
import { SecurityKeysCard } from '../components/security-keys-card.tsx';
import { listWords, reasonText } from '../labels.ts';
import { LowBackupCodesBanner } from '../components/low-backup-codes.tsx';

interface Data {
  status: TwoFactorStatus;
  devices: Device[];
  sessions: SessionListItem[];
}

/** Codes on screen: `first` (2FA just turned on), `new` (regenerated: older ones stop working) or `shown` (revealed). */
interface ShownCodes {
  title: string;
  codes: string[];
  kind: 'first' | 'new' | 'shown';
}

export function SecurityPage({ email, onSignedOut }: { email: string; onSignedOut(): void }) {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState('');
  const [codes, setCodes] = useState<ShownCodes | null>(null);
  const [confirm, setConfirm] = useState<'regenerate' | 'disable' | null>(null);
  const { withReauth, dialog } = useReauth();
  const { show: notify, clear: clearNotice, toast } = useToast();

  async function load() {
    try {
      const [status, devices, sessions] = await Promise.all([
        api<TwoFactorStatus>('GET', '/me/2fa'),
        api<Device[]>('GET', '/me/devices'),
        api<SessionListItem[]>('GET', '/me/sessions'),
      ]);
      setData({ status, devices, sessions });
      setError('');
    } catch (e) {
      setError(describeError(e));
    }
  }
  useEffect(() => {
    void load();
  }, []);
  useReconnect(() => {
    if (!data) void load();
  });

  /** Runs an action (re-authenticating if asked), shows what happened, reloads. */
  async function act(action: () => Promise<unknown>, done?: string) {
    setError('');
    clearNotice();
    try {
      await withReauth(action);
      await load();
      if (done) notify(done);
      return true;
    } catch (e) {
      setError(describeError(e));
      return false;
    }
  }

  async function reveal() {
    await act(async () => {
      const answer = await api<{ codes: string[]; remaining: number }>('GET', '/me/2fa/backup-codes');
      setCodes({ title: 'Your backup codes', codes: answer.codes, kind: 'shown' });
    });
  }
  async function regenerate() {
    setConfirm(null);
    await act(async () => {
      const answer = await api<{ codes: string[] }>('POST', '/me/2fa/backup-codes');
      setCodes({ title: 'Your new backup codes', codes: answer.codes, kind: 'new' });
    }, 'New backup codes created. Your old codes no longer work.');
  }
  async function disable() {
    setConfirm(null);
    await act(() => api('DELETE', '/me/2fa'), 'Two-factor authentication is off.');
  }
  function enabled(result: MethodEnabled, method: EnrollableMethod) {
    if (result.backupCodes?.length) setCodes({ title: 'Save your backup codes', codes: result.backupCodes, kind: 'first' });
    notify(
      method === 'webauthn'
        ? 'Security key added.'
        : `${method === 'totp' ? 'Authenticator app' : method === 'sms' ? 'Text messages' : 'Email codes'} turned on.`,
    );
    void load();
  }

  const status = data?.status;
  return (
    <main class="page" aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      <p class="muted lead">How you prove it’s you when you sign in.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {status?.backupCodes.low && (
        <LowBackupCodesBanner remaining={status.backupCodes.remaining} onMakeNew={() => setConfirm('regenerate')} />
      )}
      {!data || !status ? (
        error ? null : (
          <Skeleton label="Loading your security settings" shape="card" rows={5} />
        )
      ) : (
        <>
          <section class="card" aria-labelledby="status-title">
            <div class="card__head">
              <h2 id="status-title">Two-factor authentication</h2>
              <span class={status.enabled ? 'badge badge--on' : 'badge badge--off'} data-testid="2fa-status">
                {status.enabled ? 'On' : 'Off'}
              </span>
            </div>
            {status.required && <p class="hint">Required by {listWords(status.requiredBy.map((r) => r.accountName))}.</p>}
            <MethodsCard status={status} act={act} onEnabled={enabled} withReauth={withReauth} />
          </section>

          <SecurityKeysCard
            status={status}
            act={act}
            run={withReauth}
            onAdded={(r) => enabled({ enabled: true, backupCodes: r.backupCodes }, 'webauthn')}
          />

          {status.enabled && (
            <section class="card" aria-labelledby="backup-title">
              <h2 id="backup-title">Backup codes</h2>
              <p>
                Use one if you can’t get a code any other way.{' '}
                <strong data-testid="backup-remaining">{status.backupCodes.remaining}</strong> of 10 left.
              </p>
              <div class="button-row">
                <button type="button" class="button button--secondary" onClick={reveal}>
                  Show backup codes
                </button>
                <button type="button" class="button button--secondary" onClick={() => setConfirm('regenerate')}>
                  Create new codes
                </button>
              </div>
            </section>
          )}

          <DevicesCard devices={data.devices} act={act} />
          <SessionsCard sessions={data.sessions} act={act} onSignedOut={onSignedOut} />

          {status.enabled && (
            <section class="card card--danger" aria-labelledby="disable-title">
              <h2 id="disable-title">Turn off two-factor authentication</h2>
              {status.canDisable ? (
                <p>Your account will be protected by your password only.</p>
              ) : (
                <p id="disable-reason" data-testid="disable-reason">
                  You can’t turn it off:{' '}
                  {status.requiredBy.map((r) => `${r.accountName} requires it because ${reasonText(r.reason)}`).join('; ')}.
                </p>
              )}
              <button
                type="button"
                class="button button--danger"
                disabled={!status.canDisable}
                aria-describedby={status.canDisable ? undefined : 'disable-reason'}
                onClick={() => setConfirm('disable')}
              >
                Turn off two-factor authentication
              </button>
            </section>
          )}
        </>
      )}

      {confirm === 'regenerate' && (
        <ConfirmDialog
          title="Create new backup codes?"
          action="Create new codes"
          onAction={regenerate}
          danger={false}
          keep="Cancel"
          onClose={() => setConfirm(null)}
        >
          <p>
            Your current backup codes will <strong>stop working</strong> as soon as the new ones are created.
          </p>
        </ConfirmDialog>
      )}
      {confirm === 'disable' && (
        <ConfirmDialog
          title="Turn off two-factor authentication?"
          action="Turn off"
          onAction={disable}
          keep="Keep it on"
          onClose={() => setConfirm(null)}
        >
          <p>Your methods, backup codes and trusted devices will be removed. Anyone with your password could sign in.</p>
        </ConfirmDialog>
      )}
      {codes && <CodesDialog shown={codes} email={email} onClose={() => setCodes(null)} />}
      {dialog}
      {toast}
    </main>
  );
}

const captions: Record<ShownCodes['kind'], string> = {
  first: 'If you lose your phone or key, each of these codes lets you sign in once. Keep them somewhere safe, like a password manager.',
  new: 'Each code works once. Your older codes no longer work.',
  shown: 'Each code works once. Used codes are not shown.',
};

/** New codes (first or regenerated) must be kept before the dialog closes; revealed ones may close at once. */
function CodesDialog({ shown, email, onClose }: { shown: ShownCodes; email: string; onClose(): void }) {
  const gated = shown.kind !== 'shown';
  const [saved, setSaved] = useState(!gated);
  const [nudged, setNudged] = useState(false);
  return (
    <Dialog title={shown.title} onClose={onClose} testId="backup-codes-dialog" canClose={saved} onBlockedClose={() => setNudged(true)}>
      <p>{captions[shown.kind]}</p>
      <BackupCodesPanel codes={shown.codes} email={email} offerTick={gated} onSaved={() => setSaved(true)} />
      <button type="button" class="button" disabled={!saved} aria-describedby={gated ? 'codes-gate' : undefined} onClick={onClose}>
        Done
      </button>
      {gated && (
        <p class={nudged && !saved ? 'hint hint--warning' : 'hint'} id="codes-gate">
          {saved ? 'Thanks. You can close this now.' : 'Copy, download or print your codes, or tick “I have saved them”, to finish.'}
        </p>
      )}
    </Dialog>
  );
}
