// Proving a mailbox: a link with a 256-bit token (kept only as a hash), 24 hours, single use. A new link replaces
// the previous one. The token sits after `#` in the link, so it never reaches a server log; the page posts it.
import type { Deps } from '../deps.ts';
import { ApiError, tooManyAttempts } from '../errors.ts';
import { randomToken } from '../crypto/secrets.ts';
import { consumeVerification, recentVerificationTimes, replaceVerification } from '../records/email-verifications.ts';
import { findUserById, markEmailVerified, type SessionUser } from '../records/users.ts';
import { recordEvent } from '../records/audit.ts';
import { maskEmail } from '../../shared/masks.ts';

export const EMAIL_VERIFICATION_TTL_MS = 24 * 60 * 60_000;
const RESEND_COOLDOWN_MS = 60_000;
const LINKS_PER_HOUR = 5;

/** Emails the user a fresh verification link; earlier links stop working. 429 inside the cooldown or over the
 * hourly cap; 502 when the email cannot be sent (then no link is stored). */
export async function sendVerificationEmail(
  deps: Deps,
  user: SessionUser,
  now: number,
): Promise<{ sentTo: string; resendAfterSeconds: number }> {
  if (user.email_verified_at !== null) throw new ApiError('conflict', 'This email address is already verified.');
  const recent = await recentVerificationTimes(deps.db, user.id, now - 60 * 60_000);
  const newest = recent[0];
  if (newest !== undefined && newest + RESEND_COOLDOWN_MS > now) {
    throw tooManyAttempts(
      (newest + RESEND_COOLDOWN_MS - now) / 1000,
      'We just sent a link. Please wait a minute before asking for another.',
    );
  }
  if (recent.length >= LINKS_PER_HOUR) throw tooManyAttempts((recent.at(-1)! + 60 * 60_000 - now) / 1000, 'Too many links sent this hour.');

  const token = randomToken();
  const link = `${deps.config.publicUrl}/verify-email#token=${token}`;
  await deps.senders.email
    .send({
      to: user.email,
      code: token,
      subject: 'Verify your email for Twofold',
      body:
        `Hello ${user.name},\n\nConfirm that ${user.email} is yours: ${link}\n\nThe link works once, for 24 hours. ` +
        'Until you confirm, you cannot accept invitations to other accounts or invite people. If you did not sign up for Twofold, ignore this email.',
    })
    .catch(() => {
      throw new ApiError('email_delivery_failed');
    });
  await replaceVerification(deps.db, user.id, token, now, EMAIL_VERIFICATION_TTL_MS);
  return { sentTo: maskEmail(user.email), resendAfterSeconds: RESEND_COOLDOWN_MS / 1000 };
}

/** Spends a verification token and marks the user's address verified; 410 for an unknown, used or expired token. */
export async function verifyEmail(deps: Deps, token: string, ip: string, now: number): Promise<SessionUser> {
  const userId = await consumeVerification(deps.db, token, now);
  if (!userId) throw new ApiError('challenge_expired', 'This link has expired or was already used. Sign in and ask for a new one.');
  if (await markEmailVerified(deps.db, userId, now)) {
    await recordEvent(deps.db, { type: 'email.verified', at: now, actorUserId: userId, subjectUserId: userId, ip });
  }
  return (await findUserById(deps.db, userId))!;
}
