// Backup codes: 10 per set, 10 characters of Crockford's base32 (no i, l, o, u; 50 bits each), shown as
// xxxxx-xxxxx and accepted in any case with or without spaces and dashes. One row per code as a keyed hash,
// consumed by one conditional UPDATE; a sealed copy of the set lets the user reveal it after re-authentication.
import type { Deps } from '../deps.ts';
import { affected, type Db } from '../db/db.ts';
import { hotFirst, hotStatement } from '../db/hot.ts';
import { randomFromAlphabet } from '../crypto/secrets.ts';

export const BACKUP_CODE_COUNT = 10;
export const BACKUP_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;
const sealContext = (userId: string) => `backup-codes:${userId}`;

export const formatBackupCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

/** The canonical form of a typed code, or null when it cannot be one (Crockford: o reads as 0, i and l as 1). */
export function normaliseBackupCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => BACKUP_CODE_ALPHABET.includes(c)) ? code : null;
}

const hashOf = (deps: Deps, userId: string, code: string) => deps.secrets.keyedHash(`backup:${userId}:${code}`);

/** Replaces the user's whole set; returns the new codes, formatted for display. */
export async function generateBackupCodes(deps: Deps, userId: string, db: Db = deps.db): Promise<string[]> {
  const now = deps.clock.now();
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => randomFromAlphabet(BACKUP_CODE_ALPHABET, CODE_LENGTH));
  const write = async (trx: Db) => {
    await trx('backup_codes').where({ user_id: userId }).delete();
    await trx('backup_codes').insert(codes.map((code) => ({ user_id: userId, code_hash: hashOf(deps, userId, code), created_at: now })));
    await trx('users')
      .where({ id: userId })
      .update({ backup_codes_sealed: deps.secrets.seal(JSON.stringify(codes), sealContext(userId)) });
  };
  await (db.isTransaction ? write(db) : db.transaction(write));
  return codes.map(formatBackupCode);
}

/** Uses one code; returns how many remain, or null when the code is wrong or already used. */
export async function consumeBackupCode(deps: Deps, userId: string, typed: string): Promise<number | null> {
  const code = normaliseBackupCode(typed);
  if (!code) return null;
  const n = await deps
    .db('backup_codes')
    .where({ user_id: userId, code_hash: hashOf(deps, userId, code) })
    .whereNull('used_at')
    .update({ used_at: deps.clock.now() });
  if (affected(n) === 0) return null;
  return countBackupCodes(deps.db, userId);
}

/** Read by every sign-in that offers a challenge: a hot-path statement (db/hot.ts). */
const countUnusedStatement = hotStatement('select count(*) as n from backup_codes where user_id = ? and used_at is null');
export async function countBackupCodes(db: Db, userId: string): Promise<number> {
  return Number((await hotFirst(db, countUnusedStatement, [userId]))?.n ?? 0);
}

/** The unused codes of the current set, for display after re-authentication. */
export async function revealBackupCodes(deps: Deps, userId: string): Promise<string[]> {
  const sealed = (await deps.db('users').where({ id: userId }).first('backup_codes_sealed'))?.backup_codes_sealed as string | null;
  if (!sealed) return [];
  const all = JSON.parse(deps.secrets.open(sealed, sealContext(userId))) as string[];
  const used = new Set(
    (await deps.db('backup_codes').where({ user_id: userId }).whereNotNull('used_at').select('code_hash')).map(
      (r: { code_hash: string }) => r.code_hash,
    ),
  );
  return all.filter((code) => !used.has(hashOf(deps, userId, code))).map(formatBackupCode);
}

export async function deleteBackupCodes(db: Db, userId: string): Promise<number> {
  const n = await db('backup_codes').where({ user_id: userId }).delete();
  await db('users').where({ id: userId }).update({ backup_codes_sealed: null });
  return n;
}
