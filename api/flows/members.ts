// Members' roles and removal; the last owner is protected. People join only through invitations.ts.
import type { Role } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { recordEvent } from '../records/audit.ts';
import type { SessionUser } from '../records/users.ts';
import { lockAccount, lockMembership, lockOtherOwners, removeMembership, setRole } from '../records/accounts.ts';
import { inRetriedTransaction } from '../db/transaction-retry.ts';

/** A change an actor makes to a member of an account, from an address. */
export interface MemberChange {
  accountId: string;
  userId: string;
  actor: SessionUser;
  ip: string;
}

/** Changes a role; demoting the last owner is refused. Audited with the role before and after. */
export async function changeRole(deps: Deps, { accountId, userId, role, actor, ip }: MemberChange & { role: Role }): Promise<void> {
  const now = deps.clock.now();
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await lockMembership(trx, accountId, userId);
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner' && role !== 'owner') await assertAnotherOwner(trx, accountId, userId);
    await setRole(trx, accountId, userId, role);
    await recordEvent(trx, {
      type: 'member.role_changed',
      at: now,
      accountId,
      actorUserId: actor.id,
      subjectUserId: userId,
      ip,
      detail: { from: current.role, to: role },
    });
  });
}

/** Removes a member; the last owner cannot be removed. Audited with the role they had. */
export async function removeMember(deps: Deps, { accountId, userId, actor, ip }: MemberChange): Promise<void> {
  const now = deps.clock.now();
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await lockMembership(trx, accountId, userId);
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner') await assertAnotherOwner(trx, accountId, userId);
    await removeMembership(trx, accountId, userId);
    await recordEvent(trx, {
      type: 'member.removed',
      at: now,
      accountId,
      actorUserId: actor.id,
      subjectUserId: userId,
      ip,
      detail: { role: current.role },
    });
  });
}

async function assertAnotherOwner(trx: Deps['db'], accountId: string, userId: string): Promise<void> {
  if ((await lockOtherOwners(trx, accountId, userId)).length === 0)
    throw new ApiError('conflict', 'An account needs at least one owner. Make someone else an owner first.');
}
