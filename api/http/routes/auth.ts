// Sign-up, login and the challenge, logout, session, re-authentication, invitations. Thin: validate -> module.
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { route, type AppContext } from '../route.ts';
import { ChallengeParams } from '../params.ts';
import { assertStrongPassword } from '../../crypto/passwords.ts';
import { publicUser } from '../../records/users.ts';
import { continueLogin, login, sendChallengeCode, verifyChallenge, type SignedIn } from '../../flows/login.ts';
import { afterWaitingRequests } from '../after-waiting-requests.ts';
import { endSession, extendReauth, SESSION_ABSOLUTE_MS, sessionClients, sessionExpiresAt } from '../../records/sessions.ts';
import { iso } from '../../db/db.ts';
import { acceptAsNewPerson, acceptAsUser, previewInvitation } from '../../flows/invitations.ts';
import { sendVerificationEmail, verifyEmail } from '../../flows/email-verification.ts';
import { signUp } from '../../flows/sign-up.ts';
import { ApiError } from '../../errors.ts';
import { clientOf, unauthenticatedFor } from '../middleware/guards.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH, SESSION_COOKIE, SESSION_COOKIE_PATH } from '../../../shared/contract.ts';
import { reauthenticate, sendReauthCode } from '../../flows/reauth.ts';
import { loadRequirement } from '../../policy/requirement.ts';
import { graceEndsAt, mustSetUpNow } from '../../policy/setup-due.ts';

export const requestInfo = (ctx: AppContext) => ({ ip: ctx.state.ip, userAgent: ctx.get('user-agent') || null });

/** Answers a passed login: the body, and the HttpOnly session cookie the web app (and the extension) share. */
export function answerSignedIn(ctx: AppContext, signedIn: SignedIn, status = 200): void {
  ctx.cookies.set(SESSION_COOKIE, signedIn.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: SESSION_COOKIE_PATH,
    overwrite: true,
    maxAge: SESSION_ABSOLUTE_MS,
  });
  // The trusted-device token also lives in an HttpOnly cookie, so page scripts never need to hold it.
  if (signedIn.device) {
    ctx.cookies.set(DEVICE_COOKIE, signedIn.device.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: DEVICE_COOKIE_PATH,
      overwrite: true,
      maxAge: signedIn.device.days * 24 * 3600_000,
    });
  }
  ctx.status = status;
  ctx.body = signedIn.response;
}

/** The trusted-device token: the body's, or the HttpOnly cookie set when the device was remembered. */
const deviceTokenOf = (ctx: AppContext, fromBody: string | undefined) => fromBody ?? ctx.cookies.get(DEVICE_COOKIE) ?? undefined;

export function authRoutes(deps: Deps) {
  const { db, clock, passwords } = deps;
  return [
    route({
      method: 'post',
      path: '/auth/signup',
      tag: 'auth',
      access: 'public',
      status: 201,
      body: s.SignupRequest,
      summary: 'Create a user who owns a new account',
      description:
        'Emails are case-insensitive (`409 conflict` if taken). Passwords of 8-128 characters; common or guessable ones are `400 invalid_request`. The user is not signed in; `user.emailVerified` is false and a verification link (`PUBLIC_URL/verify-email#token=…`, 24 h, single use) is emailed. The new account manages the user.',
      response: z.object({ user: s.User, account: s.Account }),
      handler: async (ctx, { body }) => {
        const { user, account } = await signUp(deps, body);
        ctx.body = { user: publicUser(user), account: { id: account.id, name: account.name } };
      },
    }),
    route({
      method: 'post',
      path: '/auth/verify-email',
      tag: 'auth',
      access: 'public',
      body: s.TokenRequest,
      response: z.object({ user: s.User }),
      summary: "Prove the mailbox with the emailed link's token",
      description:
        'The token comes from the fragment of the emailed link (after `#`, so it never reaches a server log). `410 challenge_expired` for an unknown, used or expired (24 h) token.',
      handler: async (ctx, { body }) => {
        ctx.body = { user: publicUser(await verifyEmail(deps, body.token, ctx.state.ip, clock.now())) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/verify-email/send',
      tag: 'auth',
      access: 'signedIn',
      status: 202,
      response: s.CodeSent,
      summary: 'Email a new verification link to the signed-in user',
      description:
        'Earlier links stop working. `409 conflict` when already verified; one link a minute and five an hour (`429 too_many_attempts`).',
      handler: async (ctx) => {
        ctx.body = await sendVerificationEmail(deps, ctx.state.user!, clock.now());
      },
    }),
    route({
      method: 'post',
      path: '/auth/login',
      tag: 'auth',
      access: 'public',
      body: s.LoginRequest,
      response: s.LoginResponse,
      summary: 'Password, then: authenticated, challenge or setup_required',
      description:
        'Password attempts are throttled per email (known or not: the same answers and work) and per client address: after 5 wrong passwords in a row for an email, each further try waits 30 s, doubling to 1 hour (forgotten after 24 hours without one); an address gets a burst of 30 wrong passwords, then one a minute. Over either: `429 too_many_attempts` with `retryAfterSeconds` and `Retry-After`, checked before the password, so the right password waits too. No session, cookie or token exists until the second factor passes. A valid `deviceToken` (in the body, or the HttpOnly `twofold_device` cookie set when the device was remembered) skips only the second factor, and never a requirement that began after the device was trusted.',
      handler: async (ctx, { body }) => {
        const outcome = await login(deps, { ...body, deviceToken: deviceTokenOf(ctx, body.deviceToken) }, requestInfo(ctx));
        if (outcome.kind === 'signed-in') return answerSignedIn(ctx, outcome.signedIn);
        ctx.body = outcome.response;
      },
    }),
    route({
      method: 'post',
      path: '/auth/challenge/:challengeId/send',
      tag: 'auth',
      access: 'public',
      status: 202,
      params: ChallengeParams,
      body: s.SendCodeRequest,
      response: s.CodeSent,
      summary: 'Send the SMS or email code of a challenge',
      description:
        "30 s cooldown per challenge; at most 5 sends an hour per user (login codes go to the user's own verified destination, so nobody else's sends count against them), and an hourly ceiling of texts per country calling code (`SMS_HOURLY_LIMIT_PER_COUNTRY`). Over a cap: `429 too_many_attempts` with `Retry-After`.",
      handler: async (ctx, { body, params }) => {
        ctx.body = await sendChallengeCode(deps, params.challengeId, body.method, ctx.state.ip);
      },
    }),
    route({
      method: 'post',
      path: '/auth/challenge/:challengeId/verify',
      tag: 'auth',
      access: 'public',
      params: ChallengeParams,
      body: s.VerifyChallengeRequest,
      response: s.LoginAuthenticated,
      summary: 'Pass the challenge with a code',
      description:
        "5 wrong codes spend the challenge (429); 10 wrong codes in a row lock code entry for 15 minutes. A setup_required challenge passes only with a recovery_code here; it otherwise authorises the enrolment calls. With `rememberDevice: true` the answer carries `deviceToken` (for clients without cookies, such as the extension's worker) and sets the HttpOnly `twofold_device` cookie (path `/api/v1/auth`); the web app keeps the token only in that cookie, never in page storage.",
      handler: async (ctx, { body, params }) => {
        await afterWaitingRequests(); // the one public code check: a flood of it waits behind signed-in requests
        answerSignedIn(ctx, await verifyChallenge(deps, params.challengeId, body, requestInfo(ctx)));
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      tag: 'auth',
      access: 'signedIn',
      status: 204,
      summary: 'End the session, for the web app and the dialer at once',
      handler: async (ctx) => {
        await endSession(db, ctx.state.user!.id, ctx.state.session!.id, 'signed_out', clock.now());
        ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: SESSION_COOKIE_PATH, expires: new Date(0) });
      },
    }),
    route({
      method: 'get',
      path: '/session',
      tag: 'auth',
      access: 'signedIn',
      response: s.SessionResponse,
      summary: 'Who is signed in',
      description:
        '`twoFactorSetupRequired` is true when an account now requires 2FA the user has not set up and no grace period is left: then only enrolment calls work. `twoFactorSetupDueBy`: while in a grace period, when it ends.',
      handler: async (ctx) => {
        const { user, session } = ctx.state;
        // Most users are in no account that could require 2FA of them: then the accounts the session lookup read
        // with the session are all there is to tell, and the check is that one query.
        const requirement = ctx.state.mayRequire2fa ? await loadRequirement(db, user!.id, ctx.state.ip) : null;
        const now = clock.now();
        const dueBy = requirement && graceEndsAt(requirement, now);
        ctx.body = {
          user: publicUser(user!),
          session: { expiresAt: iso(sessionExpiresAt(session!)), clients: sessionClients(session!) },
          accounts: requirement?.accounts ?? ctx.state.accounts!,
          twoFactorSetupRequired: requirement !== null && mustSetUpNow(requirement, now),
          twoFactorSetupDueBy: dueBy ? iso(dueBy) : null,
        };
      },
    }),
    route({
      method: 'post',
      path: '/auth/reauth',
      tag: 'auth',
      access: 'signedIn',
      body: s.ReauthRequest,
      response: z.object({ reauthUntil: z.string() }),
      summary: 'Prove it is you again, for 10 minutes of sensitive calls',
      description:
        "With `{password}` or `{method, code}`; codes count towards the lockout, passwords towards the login's password throttle (the same count for the user's email and the client address): `429 too_many_attempts` with `Retry-After`.",
      handler: async (ctx, { body }) => {
        await reauthenticate(deps, ctx.state.user!, ctx.state.session!, body, ctx.state.ip);
        ctx.body = { reauthUntil: iso(await extendReauth(db, ctx.state.session!.id, clock.now())) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/reauth/send',
      tag: 'auth',
      access: 'signedIn',
      status: 202,
      body: s.SendCodeRequest,
      response: s.CodeSent,
      summary: 'Send an SMS or email code for re-authentication',
      handler: async (ctx, { body }) => {
        ctx.body = await sendReauthCode(deps, ctx.state.user!, ctx.state.session!, body.method, ctx.state.ip);
      },
    }),
    route({
      method: 'post',
      path: '/auth/invitation',
      tag: 'auth',
      access: 'public',
      body: s.InvitePreviewRequest,
      response: s.InvitationPreview,
      summary: 'What an invitation is: the account, who sent it, the role, and what the account may do to the person',
      description:
        '`existingUser`: a verified Twofold user holds the address (they accept while signed in). `managed`: accepting makes the account manage the person (a new person), so its owners and admins may reset and rescue their 2FA; `accountMay` lists those powers. `410 challenge_expired` when unknown, revoked, used or past 7 days.',
      handler: async (ctx, { body }) => {
        ctx.body = await previewInvitation(deps, body.inviteToken);
      },
    }),
    route({
      method: 'post',
      path: '/auth/accept-invite',
      tag: 'auth',
      access: 'optionalSession',
      body: s.AcceptInviteRequest,
      response: z.union([s.AcceptedAsNewPerson, z.object({ account: s.AccountWithRole })]),
      summary: 'Accept an emailed invitation',
      description: [
        'A new person sends `{inviteToken, name, password}`: the link proves the mailbox, so the user is created with `emailVerified: true`, managed by the account, and signed in as after a login: `201` with `user` and the login answer (`authenticated` with a session and the cookie, or `setup_required` when the account requires 2FA). An unverified user holding the address is replaced (their sessions end); a verified one must sign in instead (`409 conflict`).',
        'An existing user sends `{inviteToken}` with their session: `200 {account}`. Not signed in: `401`; signed in as anyone else or with an unverified address: `403 forbidden`; already a member: `409 conflict`.',
        'A used, revoked, replaced or expired invitation: `410 challenge_expired`.',
      ].join(' '),
      handler: async (ctx, { body }) => {
        if (body.name !== undefined && body.password !== undefined) {
          await assertStrongPassword(body.password, [body.name]);
          const passwordHash = await passwords.hash(body.password);
          const user = await acceptAsNewPerson(deps, { token: body.inviteToken, name: body.name, passwordHash, ip: ctx.state.ip });
          const outcome = await continueLogin(deps, user, { client: clientOf(ctx) ?? 'web' }, requestInfo(ctx));
          if (outcome.kind === 'signed-in') return answerSignedIn(ctx, outcome.signedIn, 201);
          ctx.status = 201;
          ctx.body = { user: publicUser(user), ...outcome.response };
          return;
        }
        if (body.name !== undefined || body.password !== undefined)
          throw new ApiError('invalid_request', 'A new person sends both name and password; an existing user sends neither.');
        if (!ctx.state.user)
          throw unauthenticatedFor(
            ctx,
            'Sign in as the invited person to accept, or choose a name and password if you are new to Twofold.',
          );
        ctx.body = { account: await acceptAsUser(deps, { token: body.inviteToken, user: ctx.state.user, ip: ctx.state.ip }) };
      },
    }),
  ];
}
