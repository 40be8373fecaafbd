// Where an account's API keys may be used from (the account's `api_allowed_ranges` column): read by the API-key
// guard, written only here.
import type { Db } from '../db/db.ts';

export async function findApiAllowedRanges(db: Db, accountId: string): Promise<string[]> {
  const row = await db('accounts').where({ id: accountId }).first('api_allowed_ranges');
  return row ? (JSON.parse(row.api_allowed_ranges) as string[]) : [];
}

/** `ranges` are already validated and normalised (policy/ip-ranges.ts). */
export async function setApiAllowedRanges(db: Db, accountId: string, ranges: string[]): Promise<void> {
  await db('accounts')
    .where({ id: accountId })
    .update({ api_allowed_ranges: JSON.stringify(ranges) });
}
