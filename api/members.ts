// Adding people to accounts: an existing user joins at once, anyone else gets an emailed invitation that
// creates their user when accepted. Role changes protect the last owner.
import type { Role } from '../shared/schemas.ts';
import type { Deps } from './deps.ts';
import { affected } from './db.ts';
import { ApiError } from './errors.ts';
import { findUserByEmail, insertUser, isUniqueViolation, type UserRow } from './users.ts';
import { hashToken, randomId, randomToken } from './secrets.ts';
import { sendNotice } from './email.ts';
import { findAccount, lockAccount } from './accounts.ts';
import { inRetriedTransaction } from './transaction-retry.ts';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

export async function addMember(deps: Deps, input: { accountId: string; email: string; role: Role; invitedBy: UserRow }):
  Promise<{ status: 'added'; userId: string } | { status: 'invited'; invitationId: string }> {
  const now = deps.clock.now();
  const account = (await findAccount(deps.db, input.accountId))!;
  const existing = await findUserByEmail(deps.db, input.email);
  if (existing) {
    try {
      await deps.db('memberships').insert({ account_id: input.accountId, user_id: existing.id, role: input.role, created_at: now });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError('conflict', 'This person is already a member.');
      throw err;
    }
    await sendNotice(deps, existing.email, `You were added to ${account.name} on Twofold`,
      `${input.invitedBy.name} added you to ${account.name} as ${input.role}. Sign in at ${deps.config.publicUrl}/ to see it.`);
    return { status: 'added', userId: existing.id };
  }
  const token = randomToken();
  const invitationId = randomId();
  await deps.db('invitations').insert({ id: invitationId, account_id: input.accountId, email: input.email, role: input.role, token_hash: hashToken(token), invited_by: input.invitedBy.id, created_at: now, expires_at: now + INVITATION_TTL_MS });
  await deps.senders.email.send({
    to: input.email, subject: `${input.invitedBy.name} invited you to ${account.name} on Twofold`, code: token,
    body: `${input.invitedBy.name} invited you to join ${account.name} on Twofold as ${input.role}.\n\nAccept: ${deps.config.publicUrl}/#/accept-invite?token=${token}\n\nThis invitation expires in 7 days.`,
  }).catch(() => { throw new ApiError('email_delivery_failed'); });
  return { status: 'invited', invitationId };
}

/** Accepts an invitation once: creates the user and the membership together. */
export async function acceptInvite(deps: Deps, input: { inviteToken: string; name: string; passwordHash: string }): Promise<UserRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (trx) => {
    const invitation = await trx('invitations').where({ token_hash: hashToken(input.inviteToken) }).whereNull('accepted_at').where('expires_at', '>', now).first();
    if (!invitation) throw new ApiError('not_found', 'This invitation is not valid any more. Ask for a new one.');
    const claimed = await trx('invitations').where({ id: invitation.id }).whereNull('accepted_at').update({ accepted_at: now });
    if (affected(claimed) === 0) throw new ApiError('not_found', 'This invitation is not valid any more. Ask for a new one.');
    const user = await insertUser(trx, { email: invitation.email, name: input.name, passwordHash: input.passwordHash, now });
    await trx('memberships').insert({ account_id: invitation.account_id, user_id: user.id, role: invitation.role, created_at: now });
    return user;
  });
}

/** Changes a role; demoting the last owner is refused. */
export async function changeRole(deps: Deps, accountId: string, userId: string, role: Role): Promise<void> {
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await trx('memberships').where({ account_id: accountId, user_id: userId }).forUpdate().first();
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner' && role !== 'owner') await assertAnotherOwner(trx, accountId, userId);
    await trx('memberships').where({ account_id: accountId, user_id: userId }).update({ role });
  });
}

export async function removeMember(deps: Deps, accountId: string, userId: string): Promise<void> {
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await trx('memberships').where({ account_id: accountId, user_id: userId }).forUpdate().first();
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner') await assertAnotherOwner(trx, accountId, userId);
    await trx('memberships').where({ account_id: accountId, user_id: userId }).delete();
  });
}

async function assertAnotherOwner(trx: Deps['db'], accountId: string, userId: string): Promise<void> {
  const others = await trx('memberships').where({ account_id: accountId, role: 'owner' }).whereNot({ user_id: userId }).forUpdate().select('user_id');
  if (others.length === 0) throw new ApiError('conflict', 'An account needs at least one owner. Make someone else an owner first.');
}
