// Members' roles and removal; the last owner is protected. People join only through invitations.ts.
import type { Role } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { lockAccount, lockMembership, lockOtherOwners, removeMembership, setRole } from '../records/accounts.ts';
import { inRetriedTransaction } from '../db/transaction-retry.ts';

/** Changes a role; demoting the last owner is refused. */
export async function changeRole(deps: Deps, accountId: string, userId: string, role: Role): Promise<void> {
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await lockMembership(trx, accountId, userId);
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner' && role !== 'owner') await assertAnotherOwner(trx, accountId, userId);
    await setRole(trx, accountId, userId, role);
  });
}

export async function removeMember(deps: Deps, accountId: string, userId: string): Promise<void> {
  await inRetriedTransaction(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const current = await lockMembership(trx, accountId, userId);
    if (!current) throw new ApiError('not_found', 'No such member.');
    if (current.role === 'owner') await assertAnotherOwner(trx, accountId, userId);
    await removeMembership(trx, accountId, userId);
  });
}

async function assertAnotherOwner(trx: Deps['db'], accountId: string, userId: string): Promise<void> {
  if ((await lockOtherOwners(trx, accountId, userId)).length === 0) throw new ApiError('conflict', 'An account needs at least one owner. Make someone else an owner first.');
}
