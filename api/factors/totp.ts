// Authenticator apps: enrolment (a sealed 160-bit seed, pending until its first code), verification within ±1 step,
// and the replay guard (the last accepted step per user, advanced only by a conditional UPDATE).
import { buildOtpauthUri, generateTotpSecret, verifyTotpStep } from '../../shared/totp.ts';
import type { TotpEnrollment } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import type { Db } from '../db/db.ts';
import { hotRun, hotStatement } from '../db/hot.ts';
import { findFactor, savePending } from '../records/factors.ts';

export const TOTP_ISSUER = 'Twofold';
const sealContext = (userId: string) => `totp:${userId}`;

export async function startTotpEnrolment(deps: Deps, user: { id: string; email: string }): Promise<TotpEnrollment> {
  const secret = generateTotpSecret();
  await savePending(deps.db, user.id, 'totp', { secretSealed: deps.secrets.seal(secret, sealContext(user.id)) }, deps.clock.now());
  const otpauthUri = buildOtpauthUri({ secretBase32: secret, issuer: TOTP_ISSUER, accountName: user.email });
  const { default: QRCode } = await import('qrcode');
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { secret, otpauthUri, qrSvg };
}

/** The step the code proves for the user's enabled (or, with `pending`, pending) seed; null when wrong. */
export async function verifyTotp(deps: Deps, userId: string, code: string, options: { pending?: boolean } = {}): Promise<number | null> {
  const factor = await findFactor(deps.db, userId, 'totp');
  const sealed = options.pending ? factor?.pending_secret_sealed : factor?.enabled_at ? factor.secret_sealed : null;
  if (!sealed) return null;
  return verifyTotpStep(deps.secrets.open(sealed, sealContext(userId)), code, deps.clock.now());
}

/** The replay guard, one conditional UPDATE on every TOTP check: a hot-path statement (db/hot.ts). */
const acceptStepStatement = hotStatement(
  'update users set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)',
);
/** Records the accepted step; false when this step or a later one was already used (a replay). */
export async function acceptTotpStep({ db }: Deps, userId: string, step: number): Promise<boolean> {
  return (await hotRun(db, acceptStepStatement, [step, userId, step])) > 0;
}

/** Forgets the replay guard's step (an admin reset removed the seed it guarded). */
export async function forgetTotpStep(db: Db, userId: string): Promise<void> {
  await db('users').where({ id: userId }).update({ totp_last_step: null });
}
