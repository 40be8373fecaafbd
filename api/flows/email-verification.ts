// Proving a mailbox: a link with a 256-bit token (kept only as a hash), 24 hours, single use. A new link replaces
// the previous one. The token sits after `#` in the link, so it never reaches a server log; the page posts it.
import type { Deps } from '../deps.ts';
import { affected, type Db } from '../db/db.ts';
import { ApiError, tooManyAttempts } from '../errors.ts';
import { hashToken, randomId, randomToken } from '../crypto/secrets.ts';
import { findUserById, markEmailVerified, type UserRow } from '../records/users.ts';
import { recordEvent } from '../records/audit.ts';
import { maskEmail } from '../../shared/masks.ts';

export const EMAIL_VERIFICATION_TTL_MS = 24 * 60 * 60_000;
const RESEND_COOLDOWN_MS = 60_000;
const LINKS_PER_HOUR = 5;

interface VerificationRow { id: string; user_id: string; token_hash: string; created_at: number; expires_at: number; used_at: number | null }

/** Emails the user a fresh verification link; earlier links stop working. 429 inside the cooldown or over the
 * hourly cap; 502 when the email cannot be sent (then no link is stored). */
export async function sendVerificationEmail(deps: Deps, user: UserRow, now: number): Promise<{ sentTo: string; resendAfterSeconds: number }> {
  if (user.email_verified_at !== null) throw new ApiError('conflict', 'This email address is already verified.');
  const recent = await deps.db<VerificationRow>('email_verifications').where({ user_id: user.id }).where('created_at', '>', now - 60 * 60_000)
    .orderBy('created_at', 'desc').select('created_at');
  const newest = recent[0]?.created_at;
  if (newest !== undefined && newest + RESEND_COOLDOWN_MS > now) {
    throw tooManyAttempts((newest + RESEND_COOLDOWN_MS - now) / 1000, 'We just sent a link. Please wait a minute before asking for another.');
  }
  if (recent.length >= LINKS_PER_HOUR) throw tooManyAttempts((recent.at(-1)!.created_at + 60 * 60_000 - now) / 1000, 'Too many links sent this hour.');

  const token = randomToken();
  const link = `${deps.config.publicUrl}/verify-email#token=${token}`;
  await deps.senders.email.send({
    to: user.email, code: token, subject: 'Verify your email for Twofold',
    body: `Hello ${user.name},\n\nConfirm that ${user.email} is yours: ${link}\n\nThe link works once, for 24 hours. ` +
      'Until you confirm, you cannot accept invitations to other accounts or invite people. If you did not sign up for Twofold, ignore this email.',
  }).catch(() => { throw new ApiError('email_delivery_failed'); });
  await deps.db.transaction(async (trx) => {
    await trx('email_verifications').where({ user_id: user.id }).whereNull('used_at').update({ used_at: now });
    await trx('email_verifications').insert({ id: randomId(), user_id: user.id, token_hash: hashToken(token), created_at: now, expires_at: now + EMAIL_VERIFICATION_TTL_MS });
  });
  return { sentTo: maskEmail(user.email), resendAfterSeconds: RESEND_COOLDOWN_MS / 1000 };
}

/** Spends a verification token and marks the user's address verified; 410 for an unknown, used or expired token. */
export async function verifyEmail(deps: Deps, token: string, ip: string, now: number): Promise<UserRow> {
  const row = token.length <= 100 ? await deps.db<VerificationRow>('email_verifications').where({ token_hash: hashToken(token) }).first() : undefined;
  if (!row || !(await consumeVerification(deps.db, row.id, now))) {
    throw new ApiError('challenge_expired', 'This link has expired or was already used. Sign in and ask for a new one.');
  }
  if (await markEmailVerified(deps.db, row.user_id, now)) {
    await recordEvent(deps.db, { type: 'email.verified', at: now, actorUserId: row.user_id, subjectUserId: row.user_id, ip });
  }
  return (await findUserById(deps.db, row.user_id))!;
}

async function consumeVerification(db: Db, id: string, now: number): Promise<boolean> {
  return affected(await db('email_verifications').where({ id }).whereNull('used_at').where('expires_at', '>', now).update({ used_at: now })) > 0;
}
