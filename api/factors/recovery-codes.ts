// Owner-issued recovery codes: single use, one hour, one active per member (a new one replaces the old),
// kept as a keyed hash. With the password, one passes the challenge or the setup requirement once.
import type { Deps } from '../deps.ts';
import { affected } from '../db/db.ts';
import { randomFromAlphabet } from '../crypto/secrets.ts';
import { BACKUP_CODE_ALPHABET, normaliseBackupCode } from './backup-codes.ts';

export const RECOVERY_CODE_TTL_MS = 60 * 60_000;
const hashOf = (deps: Deps, userId: string, code: string) => deps.secrets.keyedHash(`recovery:${userId}:${code}`);

export async function issueRecoveryCode(
  deps: Deps,
  input: { userId: string; accountId: string; issuedBy: string },
): Promise<{ code: string; expiresAt: number }> {
  const now = deps.clock.now();
  const code = randomFromAlphabet(BACKUP_CODE_ALPHABET, 10);
  const row = {
    account_id: input.accountId,
    issued_by: input.issuedBy,
    code_hash: hashOf(deps, input.userId, code),
    created_at: now,
    expires_at: now + RECOVERY_CODE_TTL_MS,
    used_at: null,
  };
  await deps
    .db('recovery_codes')
    .insert({ user_id: input.userId, ...row })
    .onConflict('user_id')
    .merge(row);
  return { code: `${code.slice(0, 5)}-${code.slice(5)}`, expiresAt: row.expires_at };
}

/** Uses the user's live recovery code; returns the issuing account and owner, or null. The code is void once the user
 * left the issuing account, the account no longer manages them, or the issuer is no longer one of its owners
 * (checked in the same conditional UPDATE, so no race between a demotion and a use). */
export async function consumeRecoveryCode(
  deps: Deps,
  userId: string,
  typed: string,
): Promise<{ accountId: string; issuedBy: string } | null> {
  const code = normaliseBackupCode(typed);
  if (!code) return null;
  const now = deps.clock.now();
  const { db } = deps;
  const n = await db('recovery_codes')
    .where({ user_id: userId, code_hash: hashOf(deps, userId, code) })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .whereExists(
      db('memberships as m')
        .join('users as u', 'u.id', 'm.user_id')
        .select(db.raw('1'))
        .whereRaw('m.account_id = recovery_codes.account_id')
        .whereRaw('m.user_id = recovery_codes.user_id')
        .whereRaw('u.managed_by_account_id = recovery_codes.account_id'),
    )
    .whereExists(
      db('memberships as o')
        .select(db.raw('1'))
        .whereRaw('o.account_id = recovery_codes.account_id')
        .whereRaw('o.user_id = recovery_codes.issued_by')
        .where('o.role', 'owner'),
    )
    .update({ used_at: now });
  if (affected(n) === 0) return null;
  const row = await db('recovery_codes').where({ user_id: userId }).first('account_id', 'issued_by');
  return { accountId: row.account_id, issuedBy: row.issued_by };
}
