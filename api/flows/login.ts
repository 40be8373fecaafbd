// The login state machine: password -> authenticated | challenge | setup_required, and the challenge's verify.
// No session, cookie or token of any kind exists before the second factor passes.
import { publicRequiredBy } from '../policy/policy.ts';
import type { Client, LoginResponse, Method } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { iso } from '../db/db.ts';
import { ApiError } from '../errors.ts';
import { findUserByEmail, findUserById, publicUser, type SessionUser } from '../records/users.ts';
import { lockRemainingSeconds, lockedError } from '../factors/lockout.ts';
import { challengeAttempts, checkCodeAttempt } from '../factors/code-attempt.ts';
import { loadRequirement } from '../policy/requirement.ts';
import { countBackupCodes } from '../factors/backup-codes.ts';
import { findTrustedDevice, trustDevice } from '../records/devices.ts';
import {
  challengeMethods,
  completeChallenge,
  createChallenge,
  findChallenge,
  isLive,
  type ChallengeKind,
  type ChallengeRow,
  type FoundChallenge,
} from '../records/challenges.ts';
import { createSession, sessionExpiresAt } from '../records/sessions.ts';
import { checkFactorCode, type FactorProof } from '../factors/check-code.ts';
import { recordEvent, type AuditInput } from '../records/audit.ts';
import { notifyRecoveryCodeUsed } from '../notify/recovery-notices.ts';
import { sendCodeToFactor } from '../factors/otp-codes.ts';
import { reservePasswordAttempt } from '../factors/password-throttle.ts';
import type { AuthenticationResponse } from '../../shared/webauthn.ts';
import { graceEndsAt } from '../policy/setup-due.ts';
import { recordGraceExpired } from './grace.ts';
import { noticeBackupCodeUsed } from '../notify/backup-code-notices.ts';

export interface RequestInfo {
  ip: string;
  userAgent: string | null;
}

export interface SignedIn {
  token: string;
  response: LoginResponse & { status: 'authenticated' };
  device?: { token: string; days: number };
}

/** Creates the session that a passed login earns. */
export async function signIn(
  deps: Deps,
  user: SessionUser,
  client: Client,
  req: RequestInfo,
  extra: { deviceToken?: string; deviceDays?: number; backupCodesRemaining?: number; twoFactorSetupDueBy?: number } = {},
): Promise<SignedIn> {
  const { token, session } = await createSession(deps.db, {
    userId: user.id,
    client,
    ip: req.ip,
    userAgent: req.userAgent,
    now: deps.clock.now(),
  });
  return {
    token,
    device: extra.deviceToken ? { token: extra.deviceToken, days: extra.deviceDays ?? 30 } : undefined,
    response: {
      status: 'authenticated',
      session: { token, expiresAt: iso(sessionExpiresAt(session)) },
      user: publicUser(user),
      ...(extra.deviceToken ? { deviceToken: extra.deviceToken } : {}),
      ...(extra.backupCodesRemaining !== undefined ? { backupCodesRemaining: extra.backupCodesRemaining } : {}),
      ...(extra.twoFactorSetupDueBy !== undefined ? { twoFactorSetupDueBy: iso(extra.twoFactorSetupDueBy) } : {}),
    },
  };
}

export type LoginOutcome = { kind: 'signed-in'; signedIn: SignedIn } | { kind: 'pending'; response: LoginResponse };

export async function login(
  deps: Deps,
  input: { email: string; password: string; deviceToken?: string; client?: Client },
  req: RequestInfo,
): Promise<LoginOutcome> {
  const now = deps.clock.now();
  const user = await findUserByEmail(deps.db, input.email);
  // Throttled before the password is looked at, known email or not (password-throttle.ts).
  const attempt = await reservePasswordAttempt(deps, { email: input.email, ip: req.ip, userId: user?.id });
  // Unknown email and wrong password: the same answer after the same argon2 work.
  const ok = await deps.passwords.verify(user?.password_hash ?? null, input.password);
  await (user && ok ? attempt.succeeded() : attempt.failed());
  if (!user || !ok) throw new ApiError('invalid_credentials');
  const locked = lockRemainingSeconds(user, now);
  if (locked > 0) throw lockedError(locked);
  return continueLogin(deps, user, { deviceToken: input.deviceToken, client: input.client ?? 'web' }, req);
}

/** What a proven password earns: a session, a challenge, or setup_required. Also the end of accepting an invitation
 * as a new person (the link proved the mailbox, the new password was just chosen). */
export async function continueLogin(
  deps: Deps,
  user: SessionUser,
  input: { deviceToken?: string; client: Client },
  req: RequestInfo,
): Promise<LoginOutcome> {
  const now = deps.clock.now();
  const { client } = input;
  const requirement = await loadRequirement(deps.db, user.id, req.ip);
  const enabled = requirement.enabledMethods;
  const challengeFor = (kind: ChallengeKind, methods: Method[]) =>
    createChallenge(deps.db, { userId: user.id, kind, methods, client, ip: req.ip, userAgent: req.userAgent, now });

  if (enabled.length === 0) {
    if (!requirement.required) return { kind: 'signed-in', signedIn: await signIn(deps, user, client, req) };
    // In a grace period the user may sign in without the 2FA they have yet to set up, until its end; a user with a
    // method never gets here: grace never skips a factor the user has.
    const dueBy = graceEndsAt(requirement, now);
    if (dueBy !== null) return { kind: 'signed-in', signedIn: await signIn(deps, user, client, req, { twoFactorSetupDueBy: dueBy }) };
    await recordGraceExpired(deps, user.id, requirement, now, req.ip);
    const { challengeId, challenge } = await challengeFor('setup', requirement.allowedMethods);
    return {
      kind: 'pending',
      response: {
        status: 'setup_required',
        challengeId,
        allowedMethods: requirement.allowedMethods,
        expiresAt: iso(challenge.expires_at),
        requiredBy: publicRequiredBy(requirement),
      },
    };
  }

  if (input.deviceToken) {
    const device = await findTrustedDevice(deps.db, user.id, input.deviceToken, now);
    // A device trusted before the newest requirement began does not skip it.
    if (device && device.created_at >= (requirement.requiredSince ?? 0)) {
      return { kind: 'signed-in', signedIn: await signIn(deps, user, client, req) };
    }
  }

  // Under a requirement, offer the methods the requiring accounts allow (if the user has any of them).
  const allowed = requirement.required ? enabled.filter((m) => requirement.allowedMethods.includes(m)) : enabled;
  const factorMethods = allowed.length > 0 ? allowed : enabled;
  const methods: Method[] = [...factorMethods];
  if ((await countBackupCodes(deps.db, user.id)) > 0) methods.push('backup_code');
  methods.push('recovery_code');
  const preferred = factorMethods.find((m) => m === user.preferred_method) ?? factorMethods[0]!;
  const { challengeId, challenge } = await challengeFor('login', methods);
  return {
    kind: 'pending',
    response: { status: 'challenge', challengeId, methods, preferredMethod: preferred, expiresAt: iso(challenge.expires_at) },
  };
}

async function liveChallenge(deps: Deps, challengeId: string): Promise<FoundChallenge> {
  const challenge = await findChallenge(deps.db, challengeId);
  if (!challenge || !isLive(challenge, deps.clock.now())) throw new ApiError('challenge_expired');
  return challenge;
}

/** Sends the SMS or email code of a login challenge. */
export async function sendChallengeCode(deps: Deps, challengeId: string, method: 'sms' | 'email', ip: string) {
  const challenge = await liveChallenge(deps, challengeId);
  if (challenge.kind !== 'login' || !challengeMethods(challenge).includes(method)) {
    throw new ApiError('invalid_request', `This sign-in does not offer ${method === 'sms' ? 'text messages' : 'email codes'}.`);
  }
  return sendCodeToFactor(deps, {
    userId: challenge.user_id,
    purpose: `challenge:${challenge.id}:${method}`,
    channel: method,
    ip,
    subject: 'Your Twofold sign-in code',
    template:
      method === 'sms'
        ? 'Your Twofold sign-in code is {code}. It expires in 10 minutes.'
        : 'Your Twofold sign-in code is {code}.\n\nIt expires in 10 minutes. If you did not try to sign in, change your password.',
  });
}

/** Checks a code against a challenge. Every answer but success spends one of the challenge's and the user's attempts. */
export async function verifyChallenge(
  deps: Deps,
  challengeId: string,
  input: { method: string; code?: string; response?: AuthenticationResponse; rememberDevice?: boolean },
  req: RequestInfo,
): Promise<SignedIn> {
  const now = deps.clock.now();
  const challenge = await liveChallenge(deps, challengeId);
  // The setup challenge passes only with a recovery code; the login one only with a method it offered.
  const offered: string[] = challenge.kind === 'setup' ? ['recovery_code'] : challengeMethods(challenge);
  const proof = await checkCodeAttempt(
    deps,
    { userId: challenge.user_id, ip: req.ip, now, counter: challengeAttempts(deps, challenge, now), knownLock: challenge.userCodeLock },
    async () =>
      offered.includes(input.method)
        ? checkFactorCode(deps, challenge.user_id, input.method as Method, input.code ?? '', `challenge:${challenge.id}`, input.response)
        : null,
  );
  if (!(await completeChallenge(deps.db, challenge.id, now))) throw new ApiError('challenge_expired');
  return finishChallenge(deps, challenge, proof, input.rememberDevice === true, req);
}

async function finishChallenge(
  deps: Deps,
  challenge: ChallengeRow,
  proof: FactorProof,
  rememberDevice: boolean,
  req: RequestInfo,
): Promise<SignedIn> {
  const now = deps.clock.now();
  const user = (await findUserById(deps.db, challenge.user_id))!;
  /** The user's own event: they are its actor and its subject. */
  const recordOwnEvent = (type: AuditInput['type'], detail: AuditInput['detail']) =>
    recordEvent(deps.db, { type, at: now, actorUserId: user.id, subjectUserId: user.id, ip: req.ip, detail });
  let deviceToken: string | undefined;
  let deviceDays: number | undefined;
  if (rememberDevice) {
    const { rememberDeviceDays } = await loadRequirement(deps.db, user.id, req.ip);
    deviceDays = rememberDeviceDays;
    if (rememberDeviceDays > 0) {
      deviceToken = await trustDevice(deps.db, { userId: user.id, userAgent: req.userAgent, days: rememberDeviceDays, now });
      await recordOwnEvent('device.trusted', { days: rememberDeviceDays });
    }
  }
  if (proof.method === 'backup_code') {
    await recordOwnEvent('backup_codes.used', { remaining: proof.backupCodesRemaining });
    await noticeBackupCodeUsed(deps, user, proof.backupCodesRemaining, req.ip);
  }
  if (proof.method === 'recovery_code') await notifyRecoveryCodeUsed(deps, user, proof, req.ip);
  if (proof.method === 'webauthn') await recordOwnEvent('webauthn.key_used', { credentialId: proof.credentialId, name: proof.name });
  return signIn(deps, user, challenge.client, req, {
    deviceToken,
    deviceDays,
    backupCodesRemaining: proof.method === 'backup_code' ? proof.backupCodesRemaining : undefined,
  });
}
