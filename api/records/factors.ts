// The user's enrolled second factors (the `factors` table): one row per method, pending until its first code verifies.
import { enrollableMethods, type EnrollableMethod } from '../../shared/schemas.ts';
import type { Db } from '../db/db.ts';
import { hotFirst, hotRows, hotStatement } from '../db/hot.ts';

export interface FactorRow {
  user_id: string;
  method: EnrollableMethod;
  enabled_at: number | null;
  secret_sealed: string | null;
  pending_secret_sealed: string | null;
  destination: string | null;
  pending_destination: string | null;
  updated_at: number;
}

export async function listFactors(db: Db, userId: string): Promise<FactorRow[]> {
  return db<FactorRow>('factors').where({ user_id: userId });
}

/** Read by every code check: a hot-path statement (db/hot.ts). */
const findStatement = hotStatement(
  `select user_id, method, enabled_at, secret_sealed, pending_secret_sealed, destination, pending_destination, updated_at
  from factors where user_id = ? and method = ? limit 1`,
);
export async function findFactor(db: Db, userId: string, method: EnrollableMethod): Promise<FactorRow | undefined> {
  return (await hotFirst(db, findStatement, [userId, method])) as FactorRow | undefined;
}

export const enabledMethods = (factors: Pick<FactorRow, 'method' | 'enabled_at'>[]): EnrollableMethod[] =>
  enrollableMethods.filter((m) => factors.some((f) => f.method === m && f.enabled_at !== null));

/** Read by every sign-in (which methods to offer): a hot-path statement. */
const enabledStatement = hotStatement('select method, enabled_at from factors where user_id = ? and enabled_at is not null');
export async function listEnabledMethods(db: Db, userId: string): Promise<EnrollableMethod[]> {
  return enabledMethods((await hotRows(db, enabledStatement, [userId])) as Pick<FactorRow, 'method' | 'enabled_at'>[]);
}

/** Records a pending enrolment (a new TOTP seed or a destination waiting for its code); the enabled one, if any, stays. */
export async function savePending(
  db: Db,
  userId: string,
  method: EnrollableMethod,
  pending: { secretSealed?: string; destination?: string },
  now: number,
): Promise<void> {
  const values = { pending_secret_sealed: pending.secretSealed ?? null, pending_destination: pending.destination ?? null, updated_at: now };
  await db('factors')
    .insert({ user_id: userId, method, ...values })
    .onConflict(['user_id', 'method'])
    .merge(values);
}

/** Promotes the pending enrolment to the enabled one. Returns false if nothing was pending (e.g. a racing verify won). */
export async function promotePending(db: Db, userId: string, method: EnrollableMethod, now: number): Promise<boolean> {
  const row = await findFactor(db, userId, method);
  if (!row || (row.pending_secret_sealed === null && row.pending_destination === null)) return false;
  const changed = await db('factors')
    .where({ user_id: userId, method, updated_at: row.updated_at })
    .update({
      enabled_at: now,
      secret_sealed: row.pending_secret_sealed ?? row.secret_sealed,
      destination: row.pending_destination ?? row.destination,
      pending_secret_sealed: null,
      pending_destination: null,
      updated_at: now,
    });
  return changed > 0;
}

export async function removeFactor(db: Db, userId: string, method: EnrollableMethod): Promise<boolean> {
  return (await db('factors').where({ user_id: userId, method }).delete()) > 0;
}

export async function removeAllFactors(db: Db, userId: string): Promise<number> {
  return db('factors').where({ user_id: userId }).delete();
}

/** Enables the method, creating its row if needed; true only for the call that turned it on (the row's lock makes a
 * second, racing call wait and see it on). For methods with many credentials (security keys). */
export async function enableFactorOnce(trx: Db, userId: string, method: EnrollableMethod, now: number): Promise<boolean> {
  await trx('factors').insert({ user_id: userId, method, enabled_at: null, updated_at: now }).onConflict(['user_id', 'method']).ignore();
  const factor = await trx('factors').where({ user_id: userId, method }).forUpdate().first('enabled_at');
  if (factor?.enabled_at != null) return false;
  await trx('factors').where({ user_id: userId, method }).update({ enabled_at: now, updated_at: now });
  return true;
}

/** Locks the method's row until the transaction ends (changes to its credentials queue behind each other). */
export async function lockFactor(trx: Db, userId: string, method: EnrollableMethod): Promise<void> {
  await trx('factors').where({ user_id: userId, method }).forUpdate().first('user_id');
}
