// Membership by consent (contract v1.1): nobody joins an account without accepting an invitation emailed to their
// mailbox. An invitation is a 256-bit token kept as a hash, 7 days, single use, revocable; a new one for the same
// address replaces the pending one. A new person who accepts proves the mailbox and is managed by the account; an
// existing user accepts while signed in with the invited, verified address and stays managed by whoever managed them.
import type { accountPowers, Role } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../db/db.ts';
import { ApiError } from '../errors.ts';
import { hashToken, randomId, randomToken } from '../crypto/secrets.ts';
import {
  deleteUnverifiedUser,
  findUserByEmail,
  findUserById,
  insertUser,
  setManagingAccount,
  userNames,
  type SessionUser,
} from '../records/users.ts';
import { addMembership, deleteAccountsWithoutMembers, findAccount, findMembership, hasRole } from '../records/accounts.ts';
import { recordEvent } from '../records/audit.ts';
import {
  claimInvitation,
  findPendingByToken,
  findPendingOfAccount,
  insertInvitation,
  listPendingOfAccount,
  renewInvitation,
  revokeInvitation as markRevoked,
  revokePendingFor,
  type InvitationRow,
} from '../records/invitations.ts';
import { recordGraceOnJoin } from './grace.ts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

/** What an account may do to a member: every account may require 2FA of them, change their role and remove them;
 * only the managing account may reset or rescue their 2FA. */
export const powersOverMember = (managed: boolean): (typeof accountPowers)[number][] => [
  'require_2fa',
  'change_role',
  'remove',
  ...(managed ? (['reset_2fa', 'issue_recovery_code'] as const) : []),
];

const expired = () =>
  new ApiError(
    'challenge_expired',
    'This invitation is no longer valid: it was used, revoked or is more than 7 days old. Ask for a new one.',
  );
const publicInvitation = (row: InvitationRow) => ({ id: row.id, email: row.email, role: row.role, expiresAt: iso(row.expires_at) });

async function emailInvitation(
  deps: Deps,
  invitation: { email: string; role: Role; accountId: string },
  inviter: SessionUser,
  token: string,
): Promise<void> {
  const account = (await findAccount(deps.db, invitation.accountId))!;
  const existing = await findUserByEmail(deps.db, invitation.email);
  const link = `${deps.config.publicUrl}/accept-invite#token=${token}`;
  const how =
    existing?.email_verified_at != null
      ? `You already use Twofold: sign in as ${invitation.email} and accept. ${account.name} will be able to require two-factor authentication of you, change your role and remove you, but not reset or recover your two-factor authentication.`
      : `Choose your name and password to join. ${account.name} will manage your sign-in: its owners and admins can require and reset your two-factor authentication.`;
  await deps.senders.email
    .send({
      to: invitation.email,
      code: token,
      subject: `${inviter.name} invited you to ${account.name} on Twofold`,
      body:
        `${inviter.name} <${inviter.email}> invited you to join ${account.name} on Twofold as ${invitation.role}.\n\n${how}\n\n` +
        `Accept: ${link}\n\nThis invitation expires in 7 days. If you did not expect it, ignore this email: nothing happens unless you accept.`,
    })
    .catch(() => {
      throw new ApiError('email_delivery_failed');
    });
}

/** Invites `email` into the account. The inviter must have verified their own address (so a squatter on an
 * unverified address cannot send genuine Twofold invitations). A pending invitation for the address is replaced. */
export async function inviteMember(
  deps: Deps,
  input: { accountId: string; email: string; role: Role; inviter: SessionUser; inviterRole: Role; ip: string },
) {
  const now = deps.clock.now();
  if (input.role === 'owner' && !hasRole(input.inviterRole, 'owner')) throw new ApiError('forbidden', 'Only owners can invite owners.');
  if (input.inviter.email_verified_at === null) throw new ApiError('forbidden', 'Verify your own email address before you invite people.');
  const existing = await findUserByEmail(deps.db, input.email);
  if (existing && (await findMembership(deps.db, input.accountId, existing.id)))
    throw new ApiError('conflict', 'This person is already a member.');

  const token = randomToken();
  // Sent before anything is stored: a failed email leaves no invitation behind (and the previous one working).
  await emailInvitation(deps, input, input.inviter, token);
  const row: InvitationRow = {
    id: randomId(),
    account_id: input.accountId,
    email: input.email,
    role: input.role,
    token_hash: hashToken(token),
    invited_by: input.inviter.id,
    created_at: now,
    expires_at: now + INVITATION_TTL_MS,
    accepted_at: null,
    revoked_at: null,
  };
  await deps.db.transaction(async (trx) => {
    await revokePendingFor(trx, input.accountId, input.email, now);
    await insertInvitation(trx, row);
  });
  await recordEvent(deps.db, {
    type: 'member.invited',
    at: now,
    accountId: input.accountId,
    actorUserId: input.inviter.id,
    ip: input.ip,
    detail: { invitationId: row.id, email: input.email, role: input.role },
  });
  return publicInvitation(row);
}

export async function listInvitations(deps: Deps, accountId: string) {
  const rows = await listPendingOfAccount(deps.db, accountId, deps.clock.now());
  const names = await userNames(
    deps.db,
    rows.map((r) => r.invited_by),
  );
  return rows.map((r) => ({ ...publicInvitation(r), invitedBy: names.get(r.invited_by) ?? null, createdAt: iso(r.created_at) }));
}

async function pendingOfAccount(deps: Deps, accountId: string, invitationId: string, actorRole: Role, now: number): Promise<InvitationRow> {
  const row = await findPendingOfAccount(deps.db, accountId, invitationId, now);
  if (!row) throw new ApiError('not_found', 'No such pending invitation.');
  if (row.role === 'owner' && !hasRole(actorRole, 'owner'))
    throw new ApiError('forbidden', 'Only owners can manage invitations of owners.');
  return row;
}

export async function revokeInvitation(
  deps: Deps,
  input: { accountId: string; invitationId: string; actor: SessionUser; actorRole: Role; ip: string },
): Promise<void> {
  const now = deps.clock.now();
  const row = await pendingOfAccount(deps, input.accountId, input.invitationId, input.actorRole, now);
  if (!(await markRevoked(deps.db, row.id, now))) throw new ApiError('not_found', 'No such pending invitation.');
  await recordEvent(deps.db, {
    type: 'invitation.revoked',
    at: now,
    accountId: input.accountId,
    actorUserId: input.actor.id,
    ip: input.ip,
    detail: { invitationId: row.id, email: row.email },
  });
}

/** A new link and a fresh 7 days; the old link stops working. */
export async function resendInvitation(
  deps: Deps,
  input: { accountId: string; invitationId: string; actor: SessionUser; actorRole: Role; ip: string },
) {
  const now = deps.clock.now();
  const row = await pendingOfAccount(deps, input.accountId, input.invitationId, input.actorRole, now);
  if (input.actor.email_verified_at === null) throw new ApiError('forbidden', 'Verify your own email address before you invite people.');
  const token = randomToken();
  await emailInvitation(deps, { email: row.email, role: row.role, accountId: row.account_id }, input.actor, token);
  const renewed = { token_hash: hashToken(token), expires_at: now + INVITATION_TTL_MS, invited_by: input.actor.id };
  if (!(await renewInvitation(deps.db, row.id, renewed, now))) throw new ApiError('not_found', 'No such pending invitation.');
  await recordEvent(deps.db, {
    type: 'invitation.resent',
    at: now,
    accountId: input.accountId,
    actorUserId: input.actor.id,
    ip: input.ip,
    detail: { invitationId: row.id, email: row.email },
  });
  return publicInvitation({ ...row, ...renewed });
}

/** What the invitation page shows before anyone accepts. Only the holder of the link (the mailbox) can ask. */
export async function previewInvitation(deps: Deps, token: string) {
  const row = await findPendingByToken(deps.db, token, deps.clock.now());
  if (!row) throw expired();
  const [account, inviter, existing] = await Promise.all([
    findAccount(deps.db, row.account_id),
    findUserById(deps.db, row.invited_by),
    findUserByEmail(deps.db, row.email),
  ]);
  // An unverified holder of the address does not count: a new person who accepts takes the address over.
  const existingUser = existing?.email_verified_at != null;
  return {
    accountName: account!.name,
    invitedBy: inviter?.name ?? 'An owner',
    invitedByEmail: inviter?.email ?? null,
    role: row.role,
    email: row.email,
    expiresAt: iso(row.expires_at),
    existingUser,
    managed: !existingUser,
    accountMay: powersOverMember(!existingUser),
  };
}

/** A new person accepts: the link proves the mailbox, so the user is created verified and managed by the account.
 * An unverified user holding the address (a squatter, or an abandoned sign-up) is replaced and their sessions end. */
export async function acceptAsNewPerson(
  deps: Deps,
  input: { token: string; name: string; passwordHash: string; ip: string },
): Promise<SessionUser> {
  const now = deps.clock.now();
  const joined = await deps.db.transaction(async (trx) => {
    const row = await findPendingByToken(trx, input.token, now);
    if (!row) throw expired();
    const holder = await findUserByEmail(trx, row.email);
    if (holder?.email_verified_at != null) {
      throw new ApiError('conflict', `${row.email} already has a Twofold sign-in. Sign in with it, then accept the invitation.`);
    }
    if (holder) {
      const replaced = await deleteUnverifiedUser(trx, holder.id);
      const accountIds = await deleteAccountsWithoutMembers(trx, replaced?.accountIds ?? []);
      await recordEvent(trx, {
        type: 'user.replaced_unverified',
        at: now,
        accountId: row.account_id,
        ip: input.ip,
        detail: { replacedUserId: holder.id, accountsDeleted: accountIds },
      });
    }
    if (!(await claimInvitation(trx, row.id, now))) throw expired();
    const user = await insertUser(trx, { email: row.email, name: input.name, passwordHash: input.passwordHash, now, emailVerified: true });
    await addMembership(trx, { accountId: row.account_id, userId: user.id, role: row.role, now });
    await setManagingAccount(trx, user.id, row.account_id);
    await recordEvent(trx, {
      type: 'invitation.accepted',
      at: now,
      accountId: row.account_id,
      actorUserId: user.id,
      subjectUserId: user.id,
      ip: input.ip,
      detail: { invitationId: row.id, role: row.role, managed: true },
    });
    return { ...user, managed_by_account_id: row.account_id };
  });
  await recordGraceOnJoin(deps, { accountId: joined.managed_by_account_id, userId: joined.id, actorUserId: joined.id, ip: input.ip });
  return joined;
}

/** An existing user accepts while signed in with the invited, verified address. */
export async function acceptAsUser(
  deps: Deps,
  input: { token: string; user: SessionUser; ip: string },
): Promise<{ id: string; name: string; role: Role }> {
  const now = deps.clock.now();
  const joined = await deps.db.transaction(async (trx) => {
    const row = await findPendingByToken(trx, input.token, now);
    if (!row) throw expired();
    if (row.email !== input.user.email) {
      throw new ApiError(
        'forbidden',
        `This invitation was sent to another email address. Sign out, then sign in as the person it was sent to.`,
      );
    }
    if (input.user.email_verified_at === null)
      throw new ApiError('forbidden', 'Verify your email address first: we sent you a link when you signed up.');
    if (await findMembership(trx, row.account_id, input.user.id))
      throw new ApiError('conflict', 'You are already a member of this account.');
    if (!(await claimInvitation(trx, row.id, now))) throw expired();
    await addMembership(trx, { accountId: row.account_id, userId: input.user.id, role: row.role, now });
    await recordEvent(trx, {
      type: 'invitation.accepted',
      at: now,
      accountId: row.account_id,
      actorUserId: input.user.id,
      subjectUserId: input.user.id,
      ip: input.ip,
      detail: { invitationId: row.id, role: row.role, managed: false },
    });
    const account = (await findAccount(trx, row.account_id))!;
    return { id: account.id, name: account.name, role: row.role };
  });
  await recordGraceOnJoin(deps, { accountId: joined.id, userId: input.user.id, actorUserId: input.user.id, ip: input.ip });
  return joined;
}
