// Six-digit codes sent by SMS or email: 10 minutes, single use, bound to the purpose that asked for them (a
// challenge, an enrolment, a reauth, a policy confirmation), kept as keyed hashes. A new code replaces the old.
// Sends have a 30-second cooldown per purpose and the hourly caps of send-caps.ts. Texts end with the
// origin-bound line (`@host #123456`) that lets phones and browsers offer the code to Twofold's site only.
import type { Deps } from '../deps.ts';
import { affected, type Db } from '../db/db.ts';
import { ApiError, tooManyAttempts } from '../errors.ts';
import { randomDigits } from '../crypto/secrets.ts';
import { DeliveryError } from '../notify/senders/sender.ts';
import { reserveSend } from './send-caps.ts';
import { maskedPhone, originBoundLine } from '../notify/sms.ts';
import { maskEmail } from '../../shared/masks.ts';
import { findFactor } from '../records/factors.ts';

export const CODE_TTL_MS = 10 * 60_000;
export const RESEND_COOLDOWN_SECONDS = 30;

export interface CodeRequest {
  userId: string;
  purpose: string;
  channel: 'sms' | 'email';
  destination: string;
  subject: string;
  /** The message, with `{code}` where the code goes. */
  template: string;
  /** Who asked: the caps count unverified sends per client address. */
  ip: string;
  /** The destination is the user's own enabled factor or account email (not one being enrolled). */
  verified: boolean;
}

const codeHash = (deps: Deps, userId: string, purpose: string, code: string) => deps.secrets.keyedHash(`otp:${userId}:${purpose}:${code}`);

/** Sends a fresh code; returns the seconds before another may be sent. 429 within the cooldown or over the hourly cap;
 * 502 when the provider fails (then no code is stored, so nothing is half-done). */
export async function sendCode(deps: Deps, req: CodeRequest): Promise<{ resendAfterSeconds: number }> {
  return deps.metrics.countCodeSend(req.channel, sendCodeUncounted(deps, req));
}

/** Where a code went, as answers show it. */
export const maskedDestination = (channel: 'sms' | 'email', destination: string): string =>
  channel === 'sms' ? maskedPhone(destination) : maskEmail(destination);

/** Sends a code to the user's own enabled SMS or email method (a sign-in, a re-authentication): `400` when it is not
 * set up. Answers where it went, masked, and when another may be asked for. */
export async function sendCodeToFactor(
  deps: Deps,
  req: Omit<CodeRequest, 'destination' | 'verified'>,
): Promise<{ sentTo: string; resendAfterSeconds: number }> {
  const factor = await findFactor(deps.db, req.userId, req.channel);
  if (!factor?.enabled_at || !factor.destination) throw new ApiError('invalid_request', 'That method is not set up.');
  const sent = await sendCode(deps, { ...req, destination: factor.destination, verified: true });
  return { sentTo: maskedDestination(req.channel, factor.destination), ...sent };
}

async function sendCodeUncounted(deps: Deps, req: CodeRequest): Promise<{ resendAfterSeconds: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  const previous = await db('one_time_codes').where({ user_id: req.userId, purpose: req.purpose }).first('created_at');
  if (previous && previous.created_at + RESEND_COOLDOWN_SECONDS * 1000 > now) {
    throw tooManyAttempts(
      (previous.created_at + RESEND_COOLDOWN_SECONDS * 1000 - now) / 1000,
      'Please wait before asking for another code.',
    );
  }
  // The send is counted before it is made, so a failing provider cannot be used to send without limit.
  await reserveSend(
    deps,
    { userId: req.userId, channel: req.channel, destination: req.destination, verified: req.verified, ip: req.ip },
    now,
  );
  const code = randomDigits(6);
  try {
    const text = req.template.replace('{code}', code);
    const body = req.channel === 'sms' ? `${text}\n\n${originBoundLine(deps.config.publicUrl, code)}` : text;
    await deps.senders[req.channel].send({ to: req.destination, subject: req.subject, body, code });
  } catch (err) {
    if (err instanceof DeliveryError) throw new ApiError(req.channel === 'sms' ? 'sms_delivery_failed' : 'email_delivery_failed');
    throw err;
  }
  const row = {
    channel: req.channel,
    destination: req.destination,
    code_hash: codeHash(deps, req.userId, req.purpose, code),
    created_at: now,
    expires_at: now + CODE_TTL_MS,
    consumed_at: null,
  };
  await db('one_time_codes')
    .insert({ user_id: req.userId, purpose: req.purpose, ...row })
    .onConflict(['user_id', 'purpose'])
    .merge(row);
  return { resendAfterSeconds: RESEND_COOLDOWN_SECONDS };
}

/** Uses the code once: true only for the live, unused code of exactly this purpose. */
export async function consumeCode(deps: Deps, userId: string, purpose: string, code: string): Promise<{ destination: string } | null> {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const now = deps.clock.now();
  const hash = codeHash(deps, userId, purpose, code);
  const n = await deps
    .db('one_time_codes')
    .where({ user_id: userId, purpose, code_hash: hash })
    .whereNull('consumed_at')
    .where('expires_at', '>', now)
    .update({ consumed_at: now });
  if (affected(n) === 0) return null;
  const row = await deps.db('one_time_codes').where({ user_id: userId, purpose }).first('destination');
  return { destination: row.destination };
}

export async function deleteCodesOfUser(db: Db, userId: string): Promise<void> {
  await db('one_time_codes').where({ user_id: userId }).delete();
}
