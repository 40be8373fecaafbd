// Email verification links (the `email_verifications` table): a token kept as a hash, 24 hours, single use; a new
// link replaces the user's earlier ones.
import { affected, type Db } from '../db/db.ts';
import { hashToken, randomId } from '../crypto/secrets.ts';

export interface VerificationRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** When the user's links of the last hour were made, newest first (the cooldown and the hourly cap). */
export async function recentVerificationTimes(db: Db, userId: string, since: number): Promise<number[]> {
  const rows = await db<VerificationRow>('email_verifications')
    .where({ user_id: userId })
    .where('created_at', '>', since)
    .orderBy('created_at', 'desc')
    .select('created_at');
  return rows.map((r) => Number(r.created_at));
}

/** Stores a new link's token and ends every earlier unused link of the user. */
export async function replaceVerification(db: Db, userId: string, token: string, now: number, ttlMs: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('email_verifications').where({ user_id: userId }).whereNull('used_at').update({ used_at: now });
    await trx('email_verifications').insert({
      id: randomId(),
      user_id: userId,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: now + ttlMs,
    });
  });
}

/** Spends a live link; answers its user, or null for an unknown, used or expired token. */
export async function consumeVerification(db: Db, token: string, now: number): Promise<string | null> {
  if (token.length > 100) return null;
  const row = await db<VerificationRow>('email_verifications')
    .where({ token_hash: hashToken(token) })
    .first();
  if (!row) return null;
  const n = await db('email_verifications')
    .where({ id: row.id })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now });
  return affected(n) > 0 ? row.user_id : null;
}
