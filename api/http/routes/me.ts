// My own two-factor settings, trusted devices and sessions.
import { z } from 'zod';
import { setPreferredMethod } from '../../records/users.ts';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { route, type AppContext, type Route } from '../route.ts';
import { Id } from '../params.ts';
import { ApiError } from '../../errors.ts';
import { startEnrolment, verifyEnrolment, type CodeMethod, type Enroller } from '../../flows/enrolment.ts';
import { twoFactorStatus, removeMethod, disableTwoFactor } from '../../flows/my-two-factor.ts';
import { listEnabledMethods } from '../../records/factors.ts';
import { countBackupCodes, generateBackupCodes, revealBackupCodes } from '../../factors/backup-codes.ts';
import { forgetAllDevices, forgetDevice, listDevices } from '../../records/devices.ts';
import { endSession, listSessions } from '../../records/sessions.ts';
import { recordEvent } from '../../records/audit.ts';
import { answerSignedIn, requestInfo } from './auth.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH } from '../../../shared/contract.ts';

/** The trusted-device token lives only in this HttpOnly cookie (path /api/v1/auth, where login reads it): page
 * scripts never hold it. When the devices are forgotten, the browser forgets its copy too. */
function forgetDeviceCookie(ctx: AppContext): void {
  ctx.cookies.set(DEVICE_COOKIE, '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: DEVICE_COOKIE_PATH,
    expires: new Date(0),
  });
}

const enroller = (ctx: AppContext): Enroller => ({
  user: ctx.state.user!,
  sessionId: ctx.state.session?.id,
  setupChallenge: ctx.state.setupChallenge,
});

export function meRoutes(deps: Deps) {
  const { db, clock } = deps;
  const audit = (ctx: AppContext, type: Parameters<typeof recordEvent>[1]['type'], detail?: Record<string, string | number>) =>
    recordEvent(db, {
      type,
      at: clock.now(),
      actorUserId: ctx.state.user!.id,
      subjectUserId: ctx.state.user!.id,
      ip: ctx.state.ip,
      detail,
    });

  /** Setting up a code method: `POST /me/2fa/{method}` starts it (a pending seed, or a code sent), `…/verify` confirms
   * it with its code. */
  const enrolmentRoutes = (
    method: CodeMethod,
    start: Pick<Route, 'status' | 'response' | 'summary' | 'description'> & { body?: typeof s.EnrollSmsRequest },
  ) => [
    route({
      method: 'post',
      path: `/me/2fa/${method}`,
      tag: 'me',
      access: 'enrolment',
      reauth: 'if2faOn',
      ...start,
      handler: async (ctx, { body }) => {
        ctx.body = await startEnrolment(deps, enroller(ctx), method, body ?? {}, ctx.state.ip);
      },
    }),
    route({
      method: 'post',
      path: `/me/2fa/${method}/verify`,
      tag: 'me',
      access: 'enrolment',
      reauth: 'if2faOn',
      body: s.VerifyCodeRequest,
      response: s.MethodEnabled,
      summary: `Confirm ${method === 'totp' ? 'the authenticator app' : method === 'sms' ? 'the phone' : 'the email address'} with its code`,
      description:
        "The first method turns 2FA on: it returns the 10 backup codes and ends the user's other sessions. During setup_required (bearer = challengeId) it also signs the user in.",
      handler: async (ctx, { body }) => {
        const result = await verifyEnrolment(deps, enroller(ctx), method, body.code, requestInfo(ctx));
        if (result.signedIn) answerSignedIn(ctx, result.signedIn);
        ctx.body = result.body;
      },
    }),
  ];

  return [
    route({
      method: 'get',
      path: '/me/2fa',
      tag: 'me',
      access: 'signedIn',
      response: s.TwoFactorStatus,
      summary: 'My two-factor settings',
      handler: async (ctx) => {
        ctx.body = await twoFactorStatus(deps, ctx.state.user!, ctx.state.ip);
      },
    }),
    ...enrolmentRoutes('totp', {
      response: s.TotpEnrollment,
      summary: 'Start setting up an authenticator app (pending until verified; re-enrolling replaces the old seed once verified)',
    }),
    ...enrolmentRoutes('sms', {
      status: 202,
      body: s.EnrollSmsRequest,
      response: s.CodeSent,
      summary: 'Send a code to a phone to set up SMS (omit `phone` to reuse `previousPhone`)',
      description:
        "Caps per hour (`429 too_many_attempts` with `Retry-After`, audited as `code_send.refused`): 5 codes per user; to a number not yet verified by this user, 5 per number and 20 per client address (so throw-away users cannot use up a victim's number, whose own login codes are not counted against it); and `SMS_HOURLY_LIMIT_PER_COUNTRY` texts per country calling code for everyone together, against SMS pumping.",
    }),
    ...enrolmentRoutes('email', { status: 202, response: s.CodeSent, summary: 'Send a code to my email to set up email codes' }),
    route({
      method: 'put',
      path: '/me/2fa/preferred',
      tag: 'me',
      access: 'session',
      body: s.PreferredRequest,
      response: s.TwoFactorStatus,
      summary: 'Choose the method offered first',
      handler: async (ctx, { body }) => {
        if (!(await listEnabledMethods(db, ctx.state.user!.id)).includes(body.method))
          throw new ApiError('invalid_request', 'Set that method up first.');
        await setPreferredMethod(db, ctx.state.user!.id, body.method);
        ctx.state.user!.preferred_method = body.method;
        await audit(ctx, '2fa.preferred_changed', { method: body.method });
        ctx.body = await twoFactorStatus(deps, ctx.state.user!, ctx.state.ip);
      },
    }),
    route({
      method: 'delete',
      path: '/me/2fa',
      tag: 'me',
      access: 'session',
      reauth: true,
      status: 204,
      summary: 'Turn two-factor authentication off',
      description: '`409 2fa_required_by_account` while any account requires it.',
      handler: async (ctx) => {
        await disableTwoFactor(deps, ctx.state.user!, ctx.state.ip);
        forgetDeviceCookie(ctx);
      },
    }),
    route({
      method: 'get',
      path: '/me/2fa/backup-codes',
      tag: 'me',
      access: 'session',
      reauth: true,
      response: s.BackupCodes,
      summary: 'Reveal my unused backup codes',
      handler: async (ctx) => {
        const codes = await revealBackupCodes(deps, ctx.state.user!.id);
        await audit(ctx, 'backup_codes.revealed');
        ctx.body = { codes, remaining: codes.length };
      },
    }),
    route({
      method: 'post',
      path: '/me/2fa/backup-codes',
      tag: 'me',
      access: 'session',
      reauth: true,
      response: s.BackupCodes,
      summary: 'Replace my backup codes (every earlier code stops working)',
      handler: async (ctx) => {
        if ((await listEnabledMethods(db, ctx.state.user!.id)).length === 0)
          throw new ApiError('conflict', 'Turn on two-factor authentication first.');
        const codes = await generateBackupCodes(deps, ctx.state.user!.id);
        await audit(ctx, 'backup_codes.regenerated');
        ctx.body = { codes, remaining: await countBackupCodes(db, ctx.state.user!.id) };
      },
    }),
    route({
      method: 'delete',
      path: '/me/2fa/:method',
      tag: 'me',
      access: 'session',
      reauth: true,
      status: 204,
      params: z.object({ method: s.EnrollableMethod.describe('The method to remove') }),
      summary: 'Remove one method',
      description:
        'Removing SMS keeps the number as `previousPhone`. Removing the last method while required: `409 2fa_required_by_account`.',
      handler: async (ctx, { params }) => {
        await removeMethod(deps, ctx.state.user!, params.method, ctx.state.ip);
      },
    }),
    route({
      method: 'get',
      path: '/me/devices',
      tag: 'me',
      access: 'session',
      response: z.array(s.Device),
      summary: 'My trusted devices',
      handler: async (ctx) => {
        ctx.body = await listDevices(db, ctx.state.user!.id, clock.now());
      },
    }),
    route({
      method: 'delete',
      path: '/me/devices/:id',
      tag: 'me',
      access: 'session',
      status: 204,
      summary: 'Forget one trusted device',
      params: z.object({ id: Id.describe("The device's `id` in `GET /me/devices`") }),
      handler: async (ctx, { params }) => {
        if (!(await forgetDevice(db, ctx.state.user!.id, params.id))) throw new ApiError('not_found');
        await audit(ctx, 'device.forgotten', { deviceId: params.id });
      },
    }),
    route({
      method: 'delete',
      path: '/me/devices',
      tag: 'me',
      access: 'session',
      reauth: true,
      status: 204,
      summary: 'Forget every trusted device',
      description: "Also expires this browser's `twofold_device` cookie (as does turning 2FA off).",
      handler: async (ctx) => {
        const n = await forgetAllDevices(db, ctx.state.user!.id);
        await audit(ctx, 'devices.forgotten_all', { count: n });
        forgetDeviceCookie(ctx);
      },
    }),
    route({
      method: 'get',
      path: '/me/sessions',
      tag: 'me',
      access: 'session',
      response: z.array(s.SessionListItem),
      summary: 'My sessions, with client, address and last use',
      handler: async (ctx) => {
        ctx.body = await listSessions(db, ctx.state.user!.id, ctx.state.session!.id, clock.now());
      },
    }),
    route({
      method: 'delete',
      path: '/me/sessions/:id',
      tag: 'me',
      access: 'session',
      status: 204,
      summary: 'Sign one session out (web app and dialer alike)',
      params: z.object({ id: Id.describe("The session's `id` in `GET /me/sessions`") }),
      handler: async (ctx, { params }) => {
        if (!(await endSession(db, ctx.state.user!.id, params.id, 'ended', clock.now()))) throw new ApiError('not_found');
      },
    }),
  ];
}
