// Loosenings of an account's 2FA policy that wait for the requesting owner's emailed code (the code itself lives in
// one_time_codes under the purpose policy:<id>; a row here holds what it confirms and counts its tries).
import { affected, type Db } from '../db/db.ts';

export interface ConfirmationRow {
  id: string;
  account_id: string;
  requested_by: string;
  changes: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export async function insertConfirmation(
  db: Db,
  row: Pick<ConfirmationRow, 'id' | 'account_id' | 'requested_by' | 'changes' | 'created_at' | 'expires_at'>,
): Promise<void> {
  await db('policy_confirmations').insert({ ...row, code_hash: '-', attempts: 0 });
}

export async function deleteConfirmation(db: Db, id: string): Promise<void> {
  await db('policy_confirmations').where({ id }).delete();
}

/** A newer request replaces any pending one of the account. */
export async function replacePendingConfirmations(db: Db, accountId: string, keepId: string, now: number): Promise<void> {
  await db('policy_confirmations')
    .where({ account_id: accountId })
    .whereNot({ id: keepId })
    .whereNull('consumed_at')
    .update({ consumed_at: now });
}

/** Only the owner who asked can see (and confirm) a confirmation. */
export async function findConfirmationOf(db: Db, id: string, accountId: string, requestedBy: string): Promise<ConfirmationRow | undefined> {
  return db<ConfirmationRow>('policy_confirmations').where({ id, account_id: accountId, requested_by: requestedBy }).first();
}

/** Takes one of a confirmation's tries; the tries now used, or null when none was left. Read back after the
 * reservation: under a race this errs towards the cap, never past it. */
export async function reserveConfirmationAttempt(db: Db, id: string, max: number): Promise<number | null> {
  const reserved = await db('policy_confirmations')
    .where({ id })
    .whereNull('consumed_at')
    .where('attempts', '<', max)
    .update({ attempts: db.raw('attempts + 1') });
  if (affected(reserved) === 0) return null;
  return Number((await db('policy_confirmations').where({ id }).first('attempts')).attempts);
}

/** Marks it used; false when another request used it first (single use). */
export async function consumeConfirmation(db: Db, id: string, now: number): Promise<boolean> {
  return affected(await db('policy_confirmations').where({ id }).whereNull('consumed_at').update({ consumed_at: now })) > 0;
}
