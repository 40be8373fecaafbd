// The member directory: 2FA status of everyone, a "without 2FA" filter, the per-member menu, inviting people
// ("Invitation sent to …"), and the invitations still waiting for an answer, with resend and revoke.
import { useState } from 'preact/hooks';
import type { Role } from '../../../shared/schemas.ts';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { useReauth } from '../../components/reauth.tsx';
import { TableCard } from '../../components/table-card.tsx';
import { useToast } from '../../components/toast.tsx';
import { useTabData } from './use-tab-data.ts';
import type { Member, PendingInvitation } from '../../../shared/schemas.ts';
import { formatDate, methodNames, roleNames } from '../../labels.ts';
import { followLink } from '../../router.ts';
import { MemberMenu, type MemberAction } from './member-menu.tsx';
import { RecoveryCodeDialog } from './recovery-code-dialog.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Item, ItemButton } from '../../components/item.tsx';
import { MemberDue } from './member-due.tsx';
import { TextField } from '../../../shared/ui/text-field.tsx';
import { Checkbox } from '../../../shared/ui/checkbox.tsx';

interface Props {
  accountId: string;
  isOwner: boolean;
  selfId: string;
  selfVerified: boolean;
}

export function MembersTab({ accountId, isOwner, selfId, selfVerified }: Props) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [invitations, setInvitations] = useState<PendingInvitation[] | null>(null);
  const [withoutOnly, setWithoutOnly] = useState(false);
  const [error, setError] = useState('');
  const [recovery, setRecovery] = useState<{ member: Member; code: string; expiresAt: string } | null>(null);
  const [confirmReset, setConfirmReset] = useState<Member | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState<PendingInvitation | null>(null);
  const { withReauth, dialog } = useReauth();
  const { show: notify, clear: clearNotice, toast } = useToast();
  const base = `/accounts/${encodeURIComponent(accountId)}`;

  const load = useTabData(
    accountId,
    members !== null,
    async () => {
      const [list, pending] = await Promise.all([
        api<Member[]>('GET', `${base}/members`),
        api<PendingInvitation[]>('GET', `${base}/invitations`),
      ]);
      setMembers(list);
      setInvitations(pending);
    },
    setError,
  );

  async function run(action: () => Promise<unknown>, done: string) {
    setError('');
    clearNotice();
    try {
      await withReauth(action);
      await load(); // the notice comes with the list that shows it, never before
      notify(done);
    } catch (e) {
      setError(describeError(e));
    }
  }

  function onAction(action: MemberAction, member: Member) {
    const url = `${base}/members/${encodeURIComponent(member.userId)}`;
    if (action === 'require')
      void run(() => api('PUT', url, { body: { require2fa: true } }), `${member.name} must now use two-factor authentication.`);
    if (action === 'unrequire')
      void run(
        () => api('PUT', url, { body: { require2fa: false } }),
        `Two-factor authentication is no longer required of ${member.name} individually.`,
      );
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
    await run(
      () => api('POST', `${base}/members/${encodeURIComponent(member.userId)}/2fa/reset`),
      `Two-factor authentication reset for ${member.name}. They are signed out everywhere.`,
    );
  }

  async function revoke(invitation: PendingInvitation) {
    setConfirmRevoke(null);
    await run(
      () => api('DELETE', `${base}/invitations/${encodeURIComponent(invitation.id)}`),
      `Invitation to ${invitation.email} withdrawn.`,
    );
  }

  const shown = (members ?? []).filter((m) => !withoutOnly || !m.twoFactor.enabled);
  const missing = (members ?? []).filter((m) => !m.twoFactor.enabled).length;
  const overdue = (members ?? []).filter((m) => m.twoFactor.overdue).length;
  return (
    <section aria-labelledby="members-title">
      <div class="card__head">
        <h2 id="members-title">Members</h2>
        {members && (
          <span class="muted">
            {members.length} member{members.length === 1 ? '' : 's'} · {missing} without 2FA{overdue > 0 && ` · ${overdue} overdue`}
          </span>
        )}
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      <div class="filters">
        <Checkbox id="filter-without" label="Only members without 2FA" checked={withoutOnly} onCheck={setWithoutOnly} />
      </div>
      <TableCard
        loaded={!!members}
        failed={!!error}
        loading={['Loading the members', 4]}
        tableClass="stack-table"
        testId="members-table"
        columns={['Member', 'Role', 'Two-factor', 'Actions']}
      >
        <tbody>
          {shown.map((m) => (
            <tr key={m.userId} data-testid={`member-${m.email}`}>
              <td>
                <strong>{m.name}</strong>
                <span class="item__meta">{m.email}</span>
                {!m.managed && (
                  <span class="item__meta" data-testid="not-managed">
                    Joined with their own Twofold sign-in
                  </span>
                )}
              </td>
              <td>{roleNames[m.role]}</td>
              <td>
                {m.twoFactor.enabled ? (
                  <>
                    <span class="badge badge--on">On</span>
                    <span class="item__meta">{m.twoFactor.methods.map((x) => methodNames[x]).join(', ')}</span>
                  </>
                ) : (
                  <span class="badge badge--off">Off</span>
                )}
                {m.twoFactor.required && (
                  <span class="badge badge--warn" title={m.twoFactor.requiredReason ?? undefined}>
                    Required
                  </span>
                )}
                <MemberDue twoFactor={m.twoFactor} />
              </td>
              <td>
                <MemberMenu member={m} isOwner={isOwner} isSelf={m.userId === selfId} onAction={onAction} />
              </td>
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
                {withoutOnly ? 'Everyone has two-factor authentication on.' : 'No members yet.'}
              </td>
            </tr>
          )}
        </tbody>
      </TableCard>
      {invitations && invitations.length > 0 && (
        <PendingInvitations
          invitations={invitations}
          onRevoke={setConfirmRevoke}
          onResend={(inv) =>
            run(
              () => api('POST', `${base}/invitations/${encodeURIComponent(inv.id)}/resend`, { body: {} }),
              `A new invitation link was sent to ${inv.email}. The earlier link no longer works.`,
            )
          }
        />
      )}
      <InviteMember base={base} isOwner={isOwner} verified={selfVerified} onInvited={() => load()} />
      {confirmReset && (
        <ConfirmDialog
          title={`Reset two-factor authentication for ${confirmReset.name}?`}
          action="Reset 2FA"
          onAction={() => reset(confirmReset)}
          keep="Cancel"
          onClose={() => setConfirmReset(null)}
        >
          <p>
            Every method, backup code, trusted device and session of {confirmReset.name} ends now. At their next sign-in they set up
            two-factor authentication again if a requirement applies to them.
          </p>
        </ConfirmDialog>
      )}
      {confirmRevoke && (
        <ConfirmDialog
          title={`Withdraw the invitation to ${confirmRevoke.email}?`}
          action="Withdraw invitation"
          onAction={() => revoke(confirmRevoke)}
          onClose={() => setConfirmRevoke(null)}
        >
          <p>The link we emailed to {confirmRevoke.email} will stop working. You can invite them again later.</p>
        </ConfirmDialog>
      )}
      {recovery && (
        <RecoveryCodeDialog
          name={recovery.member.name}
          code={recovery.code}
          expiresAt={recovery.expiresAt}
          onClose={() => setRecovery(null)}
        />
      )}
      {dialog}
      {toast}
    </section>
  );
}

function PendingInvitations({
  invitations,
  onResend,
  onRevoke,
}: {
  invitations: PendingInvitation[];
  onResend(i: PendingInvitation): void;
  onRevoke(i: PendingInvitation): void;
}) {
  return (
    <section class="card" aria-labelledby="pending-title">
      <h3 id="pending-title">Invited, not joined yet</h3>
      <ul class="item-list" data-testid="pending-invitations">
        {invitations.map((inv) => (
          <Item
            key={inv.id}
            testId={`invitation-${inv.email}`}
            title={
              <>
                {inv.email}
                <span class="badge badge--warn">Pending</span>
              </>
            }
            meta={
              <>
                {roleNames[inv.role]} · invited{inv.invitedBy ? ` by ${inv.invitedBy}` : ''} {formatDate(inv.createdAt)} · link valid until{' '}
                {formatDate(inv.expiresAt)}
              </>
            }
          >
            <div class="button-row button-row--tight">
              <ItemButton label={`Resend the invitation to ${inv.email}`} onClick={() => onResend(inv)}>
                Resend
              </ItemButton>
              <ItemButton label={`Withdraw the invitation to ${inv.email}`} onClick={() => onRevoke(inv)}>
                Withdraw
              </ItemButton>
            </div>
          </Item>
        ))}
      </ul>
    </section>
  );
}

function InviteMember({
  base,
  isOwner,
  verified,
  onInvited,
}: {
  base: string;
  isOwner: boolean;
  verified: boolean;
  onInvited(): Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [error, setError] = useState('');
  const [sent, setSent] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setError('');
    setSent('');
    setBusy(true);
    try {
      const answer = await api<{ invitation?: { email: string } }>('POST', `${base}/members`, { body: { email, role } });
      setEmail('');
      await onInvited();
      setSent(
        `Invitation sent to ${answer.invitation?.email ?? email}. They join once they accept it from their email; the link works for 7 days.`,
      );
    } catch (e) {
      setError(describeError(e));
    }
    setBusy(false);
  }
  return (
    <form class="card stack" onSubmit={submit} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <p class="hint">We email them a link. Nobody joins without accepting it.</p>
      {!verified && (
        <p class="notice notice--warning" data-testid="verify-to-invite">
          Verify your own email address before you invite people, so they know the invitation is really from you.{' '}
          <a href="/check-email" onClick={followLink}>
            Verify my email
          </a>
        </p>
      )}
      <fieldset class="inline-form" disabled={!verified}>
        <legend class="visually-hidden">Who to invite</legend>
        <TextField id="add-email" label="Email" type="email" required value={email} onValue={setEmail} />
        <div class="field">
          <label for="add-role">Role</label>
          <select id="add-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
            {isOwner && <option value="owner">Owner</option>}
          </select>
        </div>
        <button type="submit" class="button" disabled={busy}>
          Send invitation
        </button>
      </fieldset>
      <div class={sent ? 'notice notice--success' : 'notice notice--empty'} role="status" data-testid="invite-sent">
        {sent}
      </div>
      <ErrorMessage>{error}</ErrorMessage>
    </form>
  );
}
