// Sign-up, login and the challenge, logout, session, re-authentication, invitations. Thin: validate -> module.
import { z } from 'zod';
import * as s from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { route, type AppContext } from '../http.ts';
import { assertStrongPassword } from '../passwords.ts';
import { insertUser, publicUser } from '../users.ts';
import { createAccount } from '../accounts.ts';
import { login, sendChallengeCode, verifyChallenge, type SignedIn } from '../login.ts';
import { extendReauth, SESSION_ABSOLUTE_MS, sessionClients, sessionExpiresAt } from '../sessions.ts';
import { iso } from '../db.ts';
import { acceptInvite } from '../members.ts';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../middleware/guards.ts';
import { reauthenticate, sendReauthCode } from '../reauth.ts';
import { loadAccounts, loadRequirement } from '../requirement.ts';

export const requestInfo = (ctx: AppContext) => ({ ip: ctx.state.ip, userAgent: ctx.get('user-agent') || null });

/** Answers a passed login: the body, and the HttpOnly session cookie the web app (and the extension) share. */
export function answerSignedIn(ctx: AppContext, signedIn: SignedIn, status = 200): void {
  ctx.cookies.set(SESSION_COOKIE, signedIn.token, {
    httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true, maxAge: SESSION_ABSOLUTE_MS,
  });
  // The trusted-device token also lives in an HttpOnly cookie, so page scripts never need to hold it.
  if (signedIn.device) {
    ctx.cookies.set(DEVICE_COOKIE, signedIn.device.token, {
      httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/api/v1/auth', overwrite: true, maxAge: signedIn.device.days * 24 * 3600_000,
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
      method: 'post', path: '/auth/signup', tag: 'auth', access: 'public', status: 201, body: s.SignupRequest,
      summary: 'Create a user who owns a new account',
      description: 'Emails are case-insensitive (`409 conflict` if taken). Passwords of 8-128 characters; common or guessable ones are `400 invalid_request`.',
      response: z.object({ user: s.User, account: s.Account }),
      handler: async (ctx, body) => {
        assertStrongPassword(body.password, [body.email, body.name]);
        const now = clock.now();
        const user = await insertUser(db, { email: body.email, name: body.name, passwordHash: await passwords.hash(body.password), now });
        const account = await createAccount(db, { name: body.accountName ?? `${body.name}'s account`, ownerId: user.id, now });
        ctx.status = 201;
        ctx.body = { user: publicUser(user), account: { id: account.id, name: account.name } };
      },
    }),
    route({
      method: 'post', path: '/auth/login', tag: 'auth', access: 'public', body: s.LoginRequest, response: s.LoginResponse,
      summary: 'Password, then: authenticated, challenge or setup_required',
      description: 'Password attempts are throttled per email (known or not: the same answers and work) and per client address: after 5 wrong passwords in a row for an email (30 from one address), each further try waits 30 s, doubling to 1 hour: `429 too_many_attempts` with `retryAfterSeconds` and `Retry-After`, checked before the password, so the right password waits too. Failures are forgotten after 24 hours without one. No session, cookie or token exists until the second factor passes. A valid `deviceToken` (in the body, or the HttpOnly `twofold_device` cookie set when the device was remembered) skips only the second factor, and never a requirement that began after the device was trusted.',
      handler: async (ctx, body) => {
        const outcome = await login(deps, { ...body, deviceToken: deviceTokenOf(ctx, body.deviceToken) }, requestInfo(ctx));
        if (outcome.kind === 'signed-in') return answerSignedIn(ctx, outcome.signedIn);
        ctx.body = outcome.response;
      },
    }),
    route({
      method: 'post', path: '/auth/challenge/:challengeId/send', tag: 'auth', access: 'public', status: 202, body: s.SendCodeRequest, response: s.CodeSent,
      summary: 'Send the SMS or email code of a challenge', description: '30 s cooldown per challenge; at most 5 sends an hour per user (login codes go to the user\'s own verified destination, so nobody else\'s sends count against them), and an hourly ceiling of texts per country calling code (`SMS_HOURLY_LIMIT_PER_COUNTRY`). Over a cap: `429 too_many_attempts` with `Retry-After`.',
      handler: async (ctx, body) => {
        ctx.status = 202;
        ctx.body = await sendChallengeCode(deps, String(ctx.params.challengeId), body.method, ctx.state.ip);
      },
    }),
    route({
      method: 'post', path: '/auth/challenge/:challengeId/verify', tag: 'auth', access: 'public', body: s.VerifyChallengeRequest, response: s.LoginAuthenticated,
      summary: 'Pass the challenge with a code',
      description: '5 wrong codes spend the challenge (429); 10 wrong codes in a row lock code entry for 15 minutes. A setup_required challenge passes only with a recovery_code here; it otherwise authorises the enrolment calls. With `rememberDevice: true` the answer carries `deviceToken` (for clients without cookies, such as the extension\'s worker) and sets the HttpOnly `twofold_device` cookie (path `/api/v1/auth`); the web app keeps the token only in that cookie, never in page storage.',
      handler: async (ctx, body) => answerSignedIn(ctx, await verifyChallenge(deps, String(ctx.params.challengeId), body, requestInfo(ctx))),
    }),
    route({
      method: 'post', path: '/auth/logout', tag: 'auth', access: 'signedIn', status: 204, summary: 'End the session, for the web app and the dialer at once',
      handler: async (ctx) => {
        await db('sessions').where({ id: ctx.state.session!.id }).delete();
        ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', expires: new Date(0) });
        ctx.status = 204;
      },
    }),
    route({
      method: 'get', path: '/session', tag: 'auth', access: 'signedIn', response: s.SessionResponse, summary: 'Who is signed in',
      description: '`twoFactorSetupRequired` is true when an account now requires 2FA the user has not set up: then only enrolment calls work.',
      handler: async (ctx) => {
        const { user, session } = ctx.state;
        // Most users are in no account that could require 2FA of them: then the accounts are all there is to read.
        const requirement = ctx.state.mayRequire2fa ? await loadRequirement(db, user!.id, ctx.state.ip) : null;
        ctx.body = {
          user: publicUser(user!),
          session: { expiresAt: iso(sessionExpiresAt(session!)), clients: sessionClients(session!) },
          accounts: requirement?.accounts ?? await loadAccounts(db, user!.id),
          twoFactorSetupRequired: requirement !== null && requirement.required && !requirement.satisfied,
        };
      },
    }),
    route({
      method: 'post', path: '/auth/reauth', tag: 'auth', access: 'signedIn', body: s.ReauthRequest, response: z.object({ reauthUntil: z.string() }),
      summary: 'Prove it is you again, for 10 minutes of sensitive calls', description: 'With `{password}` or `{method, code}`; codes count towards the lockout, passwords towards the login\'s password throttle (the same count for the user\'s email and the client address): `429 too_many_attempts` with `Retry-After`.',
      handler: async (ctx, body) => {
        await reauthenticate(deps, ctx.state.user!, ctx.state.session!, body, ctx.state.ip);
        ctx.body = { reauthUntil: iso(await extendReauth(db, ctx.state.session!.id, clock.now())) };
      },
    }),
    route({
      method: 'post', path: '/auth/reauth/send', tag: 'auth', access: 'signedIn', status: 202, body: s.SendCodeRequest, response: s.CodeSent,
      summary: 'Send an SMS or email code for re-authentication',
      handler: async (ctx, body) => {
        ctx.status = 202;
        ctx.body = await sendReauthCode(deps, ctx.state.user!, ctx.state.session!, body.method, ctx.state.ip);
      },
    }),
    route({
      method: 'post', path: '/auth/accept-invite', tag: 'auth', access: 'public', status: 201, body: s.AcceptInviteRequest, response: z.object({ user: s.User }),
      summary: 'Accept an emailed invitation: creates the user and the membership',
      handler: async (ctx, body) => {
        assertStrongPassword(body.password, [body.name]);
        const user = await acceptInvite(deps, { inviteToken: body.inviteToken, name: body.name, passwordHash: await passwords.hash(body.password) });
        ctx.status = 201;
        ctx.body = { user: publicUser(user) };
      },
    }),
  ];
}

