// The member directory: 2FA status of everyone, a "without 2FA" filter, adding members, and the per-member menu.
import { useEffect, useState } from 'preact/hooks';
import type { Member, Role } from '../../../shared/schemas.ts';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage, Notice } from '../../components/alert.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { methodNames, roleNames } from '../../labels.ts';
import { MemberMenu, type MemberAction } from './member-menu.tsx';
import { RecoveryCodeDialog } from './recovery-code-dialog.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { MemberDue } from './member-due.tsx';

interface Props { accountId: string; isOwner: boolean; selfId: string }

export function MembersTab({ accountId, isOwner, selfId }: Props) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [withoutOnly, setWithoutOnly] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [recovery, setRecovery] = useState<{ member: Member; code: string; expiresAt: string } | null>(null);
  const [confirmReset, setConfirmReset] = useState<Member | null>(null);
  const { withReauth, dialog } = useReauth();
  const base = `/accounts/${encodeURIComponent(accountId)}`;

  async function load() {
    try { setMembers(await api<Member[]>('GET', `${base}/members`)); } catch (e) { setError(describeError(e)); }
  }
  useEffect(() => { void load(); }, [accountId]);

  async function run(action: () => Promise<unknown>, done: string) {
    setError('');
    setNotice('');
    try {
      await withReauth(action);
      await load(); // the notice comes with the list that shows it, never before
      setNotice(done);
    } catch (e) {
      setError(describeError(e));
    }
  }

  function onAction(action: MemberAction, member: Member) {
    const url = `${base}/members/${encodeURIComponent(member.userId)}`;
    if (action === 'require') void run(() => api('PUT', url, { body: { require2fa: true } }), `${member.name} must now use two-factor authentication.`);
    if (action === 'unrequire') void run(() => api('PUT', url, { body: { require2fa: false } }), `Two-factor authentication is no longer required of ${member.name} individually.`);
    if (action === 'reset') setConfirmReset(member);
    if (action === 'recovery') {
      void run(async () => {
        const answer = await api<{ code: string; expiresAt: string }>('POST', `${url}/recovery-code`);
        setRecovery({ member, ...answer });
      }, `Recovery code created for ${member.name}.`);
    }
  }

  async function reset(member: Member) {
    setConfirmReset(null);
    await run(() => api('POST', `${base}/members/${encodeURIComponent(member.userId)}/2fa/reset`),
      `Two-factor authentication reset for ${member.name}. They are signed out everywhere.`);
  }

  const shown = (members ?? []).filter((m) => !withoutOnly || !m.twoFactor.enabled);
  const missing = (members ?? []).filter((m) => !m.twoFactor.enabled).length;
  const overdue = (members ?? []).filter((m) => m.twoFactor.overdue).length;
  return (
    <section aria-labelledby="members-title">
      <div class="card__head">
        <h2 id="members-title">Members</h2>
        {members && <span class="muted">{members.length} member{members.length === 1 ? '' : 's'} · {missing} without 2FA{overdue > 0 && ` · ${overdue} overdue`}</span>}
      </div>
      <Notice tone="success">{notice}</Notice>
      <ErrorMessage>{error}</ErrorMessage>
      <div class="filters">
        <div class="checkbox">
          <input id="filter-without" type="checkbox" checked={withoutOnly} onChange={(e) => setWithoutOnly((e.currentTarget as HTMLInputElement).checked)} />
          <label for="filter-without">Only members without 2FA</label>
        </div>
      </div>
      {!members ? <p class="muted">Loading…</p> : (
        <div class="card table-wrap">
          <table class="stack-table" data-testid="members-table">
            <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Two-factor</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.userId} data-testid={`member-${m.email}`}>
                  <td><strong>{m.name}</strong><span class="item__meta">{m.email}</span></td>
                  <td>{roleNames[m.role]}</td>
                  <td>
                    {m.twoFactor.enabled
                      ? <><span class="badge badge--on">On</span><span class="item__meta">{m.twoFactor.methods.map((x) => methodNames[x]).join(', ')}</span></>
                      : <span class="badge badge--off">Off</span>}
                    {m.twoFactor.required && <span class="badge badge--warn" title={m.twoFactor.requiredReason ?? undefined}>Required</span>}
                    <MemberDue twoFactor={m.twoFactor} />
                  </td>
                  <td><MemberMenu member={m} isOwner={isOwner} isSelf={m.userId === selfId} onAction={onAction} /></td>
                </tr>
              ))}
              {shown.length === 0 && <tr><td colSpan={4} class="muted">{withoutOnly ? 'Everyone has two-factor authentication on.' : 'No members yet.'}</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <AddMember base={base} isOwner={isOwner} onAdded={(email) => { setNotice(`${email} added.`); void load(); }} />
      {confirmReset && (
        <Dialog title={`Reset two-factor authentication for ${confirmReset.name}?`} onClose={() => setConfirmReset(null)}>
          <p>Every method, backup code, trusted device and session of {confirmReset.name} ends now. At their next sign-in they set up two-factor authentication again if a requirement applies to them.</p>
          <div class="button-row">
            <button type="button" class="button button--danger" onClick={() => reset(confirmReset)}>Reset 2FA</button>
            <button type="button" class="button button--secondary" onClick={() => setConfirmReset(null)}>Cancel</button>
          </div>
        </Dialog>
      )}
      {recovery && <RecoveryCodeDialog name={recovery.member.name} code={recovery.code} expiresAt={recovery.expiresAt} onClose={() => setRecovery(null)} />}
      {dialog}
    </section>
  );
}

function AddMember({ base, isOwner, onAdded }: { base: string; isOwner: boolean; onAdded(email: string): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [error, setError] = useState('');
  async function submit(event: Event) {
    event.preventDefault();
    setError('');
    try {
      await api('POST', `${base}/members`, { body: { email, role } });
      setEmail('');
      onAdded(email);
    } catch (e) { setError(describeError(e)); }
  }
  return (
    <form class="card stack" onSubmit={submit} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      <div class="inline-form">
        <div class="field">
          <label for="add-email">Email</label>
          <input id="add-email" type="email" required value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="add-role">Role</label>
          <select id="add-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
            {isOwner && <option value="owner">Owner</option>}
          </select>
        </div>
        <button type="submit" class="button">Add or invite</button>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
    </form>
  );
}
