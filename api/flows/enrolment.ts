// Enrolling a method: start (a pending seed or destination and its code), then verify, which enables it.
// The first method turns 2FA on: backup codes are issued, the user's other sessions end, and during
// setup_required the same verify signs the user in.
import type { EnrollableMethod, MethodEnabled } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { setPreferredMethod, type SessionUser } from '../records/users.ts';
import type { ChallengeRow } from '../records/challenges.ts';
import { challengeMethods, completeChallenge, endSetupChallengesOfUser } from '../records/challenges.ts';
import { listEnabledMethods, promotePending, savePending, findFactor } from '../records/factors.ts';
import { loadRequirement } from '../policy/requirement.ts';
import { startTotpEnrolment, verifyTotp, acceptTotpStep } from '../factors/totp.ts';
import { sendCode, consumeCode, maskedDestination } from '../factors/otp-codes.ts';
import { parseE164 } from '../notify/sms.ts';
import { generateBackupCodes } from '../factors/backup-codes.ts';
import { endSessionsOfUser } from '../records/sessions.ts';
import { recordEvent } from '../records/audit.ts';
import { challengeAttempts, checkCodeAttempt } from '../factors/code-attempt.ts';
import { signIn, type RequestInfo, type SignedIn } from './login.ts';

/** Methods enrolled by proving a code (security keys are added by security-keys.ts). */
export type CodeMethod = Exclude<EnrollableMethod, 'webauthn'>;

/** Who is enrolling: a signed-in user (session id) or a user in setup_required (their challenge). */
export interface Enroller {
  user: SessionUser;
  sessionId?: string;
  setupChallenge?: ChallengeRow;
}

/** Methods outside the policy of a requiring account are refused with 422. */
export async function assertAllowed(deps: Deps, who: Enroller, method: EnrollableMethod, ip: string): Promise<void> {
  const allowed = who.setupChallenge
    ? challengeMethods(who.setupChallenge)
    : (await loadRequirement(deps.db, who.user.id, ip)).allowedMethods;
  if (!allowed.includes(method)) throw new ApiError('method_not_allowed_by_policy', undefined, { allowedMethods: allowed });
}

export async function startEnrolment(deps: Deps, who: Enroller, method: CodeMethod, input: { phone?: string }, ip: string) {
  await assertAllowed(deps, who, method, ip);
  const { user } = who;
  if (method === 'totp') return startTotpEnrolment(deps, user);
  const destination =
    method === 'email'
      ? user.email
      : parseE164(
          input.phone ??
            user.previous_phone ??
            (() => {
              throw new ApiError('invalid_request', 'Enter a phone number.', { field: 'phone' });
            })(),
        );
  const sent = await sendCode(deps, {
    userId: user.id,
    purpose: `enroll:${method}`,
    channel: method,
    destination,
    ip,
    // Re-confirming the destination of the user's own enabled factor is not a send to an unverified one.
    verified: (await findFactor(deps.db, user.id, method))?.destination === destination,
    subject: 'Confirm your email for Twofold',
    template:
      method === 'sms'
        ? 'Your Twofold code to confirm this phone is {code}.'
        : 'Your Twofold code to confirm this address is {code}. It expires in 10 minutes.',
  });
  // Saved only after the provider accepted the message: a failed send leaves nothing half-enabled.
  await savePending(deps.db, user.id, method, { destination }, deps.clock.now());
  return { sentTo: maskedDestination(method, destination), ...sent };
}

export async function verifyEnrolment(
  deps: Deps,
  who: Enroller,
  method: CodeMethod,
  code: string,
  req: RequestInfo,
): Promise<{ body: MethodEnabled; signedIn?: SignedIn }> {
  const { user } = who;
  const now = deps.clock.now();
  const counter = who.setupChallenge ? challengeAttempts(deps, who.setupChallenge, now) : undefined;
  await checkCodeAttempt(deps, { userId: user.id, ip: req.ip, now, counter }, async () =>
    (await checkEnrolmentCode(deps, user.id, method, code)) ? true : null,
  );
  const wasEnabled = (await listEnabledMethods(deps.db, user.id)).length > 0;
  if (!(await promotePending(deps.db, user.id, method, deps.clock.now()))) throw new ApiError('conflict', 'Start the set-up again.');
  return finishEnrolment(deps, who, method, !wasEnabled, req);
}

async function checkEnrolmentCode(deps: Deps, userId: string, method: CodeMethod, code: string): Promise<boolean> {
  if (method === 'totp') {
    const step = await verifyTotp(deps, userId, code, { pending: true });
    return step !== null && (await acceptTotpStep(deps, userId, step));
  }
  const factor = await findFactor(deps.db, userId, method);
  if (!factor?.pending_destination) return false;
  const used = await consumeCode(deps, userId, `enroll:${method}`, code);
  return used !== null && used.destination === factor.pending_destination;
}

/** A method just turned on: backup codes and the end of other sessions the first time, the audit event, and during
 * setup_required the sign-in. */
export async function finishEnrolment(
  deps: Deps,
  who: Enroller,
  method: EnrollableMethod,
  first: boolean,
  req: RequestInfo,
): Promise<{ body: MethodEnabled; signedIn?: SignedIn }> {
  const { db, clock } = deps;
  const { user } = who;
  const now = clock.now();
  await endSetupChallengesOfUser(db, user.id, now, who.setupChallenge?.id);
  if (!user.preferred_method || first) await setPreferredMethod(db, user.id, method);
  const body: MethodEnabled = { enabled: true };
  if (first) {
    body.backupCodes = await generateBackupCodes(deps, user.id);
    // Turning 2FA on ends every other session: whoever had the password alone is out.
    await endSessionsOfUser(db, user.id, '2fa_enabled', now, who.sessionId);
  }
  await recordEvent(db, {
    type: first ? '2fa.enabled' : '2fa.method_added',
    at: now,
    actorUserId: user.id,
    subjectUserId: user.id,
    ip: req.ip,
    detail: { method },
  });
  if (!who.setupChallenge) return { body };
  if (!(await completeChallenge(db, who.setupChallenge.id, now))) throw new ApiError('challenge_expired');
  const signedIn = await signIn(deps, user, who.setupChallenge.client, req);
  return { body: { ...body, status: 'authenticated', session: signedIn.response.session, user: signedIn.response.user }, signedIn };
}
