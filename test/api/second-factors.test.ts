// My own two-factor settings through HTTP: enrolment of each method, backup codes, trusted devices, re-authentication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  app = await startTestApp();
  f = factories(app);
});
afterAll(() => app.close());

let phoneCounter = 0;
/** Distinct valid Australian mobiles, so the per-phone hourly cap of one test does not leak into another. */
const freshPhone = () => `+614123${String(45000 + phoneCounter++).padStart(5, '0')}`;

describe('authenticator app', () => {
  it('stays pending until its first code; the seed is sealed at rest and never shown again', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    expect(start.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Twofold:.+\?issuer=Twofold&secret=[A-Z2-7]{32}&/);
    expect(start.body.qrSvg).toMatch(/^<svg/);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.enabled).toBe(false);
    const row = await app.deps.db('factors').where({ user_id: user.id, method: 'totp' }).first();
    expect(row.pending_secret_sealed).not.toContain(start.body.secret);
    expect(JSON.stringify(row)).not.toContain(start.body.secret);
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(verify.body.enabled).toBe(true);
    expect(verify.body.backupCodes).toHaveLength(10);
    const status = await f.call('GET', '/api/v1/me/2fa', { token });
    expect(status.body).toMatchObject({
      enabled: true,
      preferredMethod: 'totp',
      methods: { totp: { enabled: true } },
      backupCodes: { remaining: 10 },
    });
    expect(JSON.stringify(status.body)).not.toContain(start.body.secret);
  });

  it('a wrong first code enables nothing', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    await f.call('POST', '/api/v1/me/2fa/totp', { token });
    expect((await f.call('POST', '/api/v1/me/2fa/totp/verify', { token, body: { code: '000000' } })).status).toBe(401);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.enabled).toBe(false);
  });

  it('re-enrolling replaces the old seed once the new one verifies; backup codes are only returned the first time', async () => {
    const user = await f.userWithTotp();
    const token = (await f.signInWithTotp(user)).session.token;
    const again = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    // Until the new seed verifies, the old one still signs in.
    expect((await f.signInWithTotp(user)).session.token).toBeTruthy();
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(again.body.secret, app.clock.now()) },
    });
    expect(verify.status).toBe(200);
    expect(verify.body.backupCodes).toBeUndefined();
    app.clock.advance(30_000);
    const { challengeId } = await f.startChallenge(user);
    expect(
      (
        await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
          body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
          body: { method: 'totp', code: generateTotp(again.body.secret, app.clock.now()) },
        })
      ).status,
    ).toBe(200);
  });

  it('turning 2FA on ends the other sessions of the user', async () => {
    // Attack: a thief who signed in with the password alone keeps a session after the owner turns 2FA on.
    const user = await f.signup();
    const thief = await f.login(user);
    const owner = await f.login(user);
    await f.enrolTotp(owner);
    expect((await f.call('GET', '/api/v1/session', { token: thief })).status).toBe(401);
    expect((await f.call('GET', '/api/v1/session', { token: owner })).status).toBe(200);
  });
});

describe('SMS codes', () => {
  it('enrols a phone with a masked answer, signs in with a texted code, and a code works once', async () => {
    const user = await f.userWithTotp();
    const phone = freshPhone();
    const start = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    expect(start.status).toBe(202);
    expect(start.body).toEqual({ sentTo: `+61•••••${phone.slice(-4)}`, resendAfterSeconds: 30 });
    const code = app.lastCode(phone, 'sms');
    expect((await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code } })).body.enabled).toBe(true);
    const status = await f.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body.methods.sms).toEqual({ enabled: true, phone: `+61•••••${phone.slice(-4)}`, previousPhone: null });

    const { challengeId, methods } = await f.startChallenge(user);
    expect(methods).toEqual(['totp', 'sms', 'backup_code', 'recovery_code']);
    const sent = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, { body: { method: 'sms' } });
    expect(sent.status).toBe(202);
    expect(sent.body.sentTo).not.toContain(phone.slice(3, 8));
    const smsCode = app.lastCode(phone, 'sms');
    // Replay: a code used to confirm the phone does not sign in, and the sign-in code works once.
    expect((await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'sms', code } })).status).toBe(401);
    expect((await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'sms', code: smsCode } })).status).toBe(
      200,
    );
    const next = await f.startChallenge(user);
    expect(
      (await f.call('POST', `/api/v1/auth/challenge/${next.challengeId}/verify`, { body: { method: 'sms', code: smsCode } })).status,
    ).toBe(401);
  });

  it('a login code cannot confirm a phone change', async () => {
    // Attack: reuse a sign-in SMS code to confirm an attacker's new number.
    const user = await f.userWithTotp();
    const phone = freshPhone();
    await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code: app.lastCode(phone, 'sms') } });
    const { challengeId } = await f.startChallenge(user);
    await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, { body: { method: 'sms' } });
    const loginCode = app.lastCode(phone, 'sms');
    app.clock.advance(31_000);
    await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone: freshPhone() } });
    expect((await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code: loginCode } })).status).toBe(401);
  });

  it('refuses numbers that are not E.164 with a clear 400', async () => {
    const user = await f.userWithTotp();
    for (const phone of ['0412345678', '+6141234', 'call me', '+999123456789']) {
      const r = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
      expect(r.status, phone).toBe(400);
      expect(r.body.error.field).toBe('phone');
    }
  });

  it('resend cooldown of 30 s, and at most 5 sends an hour per user and per phone', async () => {
    // Attack: SMS pumping through repeated sends.
    const user = await f.userWithTotp();
    const phone = freshPhone();
    expect((await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } })).status).toBe(202);
    const soon = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    expect(soon.status).toBe(429);
    expect(soon.body.error.retryAfterSeconds).toBeLessThanOrEqual(30);
    for (let i = 0; i < 4; i++) {
      app.clock.advance(31_000);
      expect((await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } })).status).toBe(202);
    }
    app.clock.advance(31_000);
    const capped = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    expect(capped.status).toBe(429);
    // The same phone from another user is capped too.
    const other = await f.userWithTotp();
    expect((await f.call('POST', '/api/v1/me/2fa/sms', { token: other.token, body: { phone } })).status).toBe(429);
  });

  it('a new code never resets the failure counter', async () => {
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    for (let i = 0; i < 3; i++)
      await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'totp', code: '000000' } });
    const phone = freshPhone();
    await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    const u = await app.deps.db('users').where({ id: user.id }).first();
    expect(u.failed_code_streak).toBe(3);
    const challenge = await app.deps.db('challenges').where({ user_id: user.id }).orderBy('created_at', 'desc').first();
    expect(challenge.attempts).toBe(3);
  });

  it('removing SMS keeps previousPhone, and re-adding needs no typing', async () => {
    const user = await f.userWithTotp();
    const phone = freshPhone();
    await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code: app.lastCode(phone, 'sms') } });
    expect((await f.call('DELETE', '/api/v1/me/2fa/sms', { token: user.token })).status).toBe(204);
    const status = await f.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body.methods.sms).toEqual({ enabled: false, phone: null, previousPhone: `+61•••••${phone.slice(-4)}` });
    expect(status.body.methods.totp.enabled).toBe(true);
    app.clock.advance(31_000);
    expect((await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: {} })).body.sentTo).toContain(phone.slice(-4));
    expect(
      (await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code: app.lastCode(phone, 'sms') } })).status,
    ).toBe(200);
  });
});

describe('email codes', () => {
  it('enrols the account email and signs in with an emailed code', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token })).status).toBe(202);
    const enabled = await f.call('POST', '/api/v1/me/2fa/email/verify', { token, body: { code: app.lastCode(user.email, 'email') } });
    expect(enabled.body.backupCodes).toHaveLength(10);
    const { challengeId, preferredMethod } = await f.startChallenge(user);
    expect(preferredMethod).toBe('email');
    await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, { body: { method: 'email' } });
    expect(
      (
        await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
          body: { method: 'email', code: app.lastCode(user.email, 'email') },
        })
      ).status,
    ).toBe(200);
  });

  it('codes expire after 10 minutes', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    await f.call('POST', '/api/v1/me/2fa/email', { token });
    app.clock.advance(10 * 60_000 + 1000);
    expect((await f.call('POST', '/api/v1/me/2fa/email/verify', { token, body: { code: app.lastCode(user.email, 'email') } })).status).toBe(
      401,
    );
  });
});

describe('backup codes', () => {
  const useBackup = async (user: { email: string }, code: string) => {
    const { challengeId } = await f.startChallenge(user);
    return f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'backup_code', code } });
  };

  it('10 codes of 10 unambiguous characters, shown as xxxxx-xxxxx, stored only as keyed hashes', async () => {
    const user = await f.userWithTotp();
    expect(user.backupCodes).toHaveLength(10);
    for (const code of user.backupCodes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    const rows = await app.deps.db('backup_codes').where({ user_id: user.id });
    const dump = JSON.stringify(rows) + JSON.stringify(await app.deps.db('users').where({ id: user.id }).first());
    for (const code of user.backupCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace('-', ''));
    }
  });

  it('forgives case, spaces and dashes, tells how many remain, and works once', async () => {
    // Attack: reuse a backup code.
    const user = await f.userWithTotp();
    const [a, b] = user.backupCodes as [string, string];
    const first = await useBackup(user, ` ${a.toUpperCase().replace('-', ' ')} `);
    expect(first.status).toBe(200);
    expect(first.body.backupCodesRemaining).toBe(9);
    expect((await useBackup(user, a)).status).toBe(401);
    expect((await useBackup(user, b.replace('-', ''))).body.backupCodesRemaining).toBe(8);
  });

  it('20 parallel logins with one code: exactly one succeeds', async () => {
    // Attack: double-spend a backup code with concurrent requests.
    const user = await f.userWithTotp();
    // The 20 password steps one after the other (in parallel they would meet the password throttle); the codes at once.
    const challenges = [];
    for (let i = 0; i < 20; i++) challenges.push(await f.startChallenge(user));
    const answers = await Promise.all(
      challenges.map((c) =>
        f.call('POST', `/api/v1/auth/challenge/${c.challengeId}/verify`, { body: { method: 'backup_code', code: user.backupCodes[0] } }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('regenerating needs re-authentication and replaces every earlier code', async () => {
    const user = await f.userWithTotp();
    app.clock.advance(11 * 60_000); // the sign-in's own reauth window has passed
    const token = user.token;
    expect((await f.call('POST', '/api/v1/me/2fa/backup-codes', { token })).body.error.code).toBe('reauth_required');
    expect((await f.call('POST', '/api/v1/auth/reauth', { token, body: { password: 'wrong password here' } })).status).toBe(401);
    expect((await f.call('POST', '/api/v1/auth/reauth', { token, body: { password: PASSWORD } })).status).toBe(200);
    const fresh = await f.call('POST', '/api/v1/me/2fa/backup-codes', { token });
    expect(fresh.body.codes).toHaveLength(10);
    expect((await useBackup(user, user.backupCodes[1]!)).status).toBe(401);
    expect((await useBackup(user, fresh.body.codes[0])).status).toBe(200);
    const revealed = await f.call('GET', '/api/v1/me/2fa/backup-codes', { token });
    expect(revealed.body).toEqual({ codes: fresh.body.codes.slice(1), remaining: 9 });
  });

  it('revealing needs re-authentication, which expires after 10 minutes', async () => {
    const user = await f.userWithTotp();
    app.clock.advance(11 * 60_000);
    expect((await f.call('GET', '/api/v1/me/2fa/backup-codes', { token: user.token })).status).toBe(403);
    await f.call('POST', '/api/v1/auth/reauth', {
      token: user.token,
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
    });
    expect((await f.call('GET', '/api/v1/me/2fa/backup-codes', { token: user.token })).body.codes).toEqual(user.backupCodes);
    app.clock.advance(10 * 60_000 + 1000);
    expect((await f.call('GET', '/api/v1/me/2fa/backup-codes', { token: user.token })).body.error.code).toBe('reauth_required');
  });
});

describe('trusted devices', () => {
  it('skip only the second factor, for the right user, until forgotten or expired', async () => {
    const user = await f.userWithTotp();
    const { deviceToken } = await f.signInWithTotp(user, { rememberDevice: true });
    expect(Buffer.from(deviceToken!, 'base64url').length).toBe(32);
    const trusted = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken } });
    expect(trusted.body.status).toBe('authenticated');
    // Never the password.
    expect(
      (await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'wrong password again', deviceToken } })).status,
    ).toBe(401);
    // Another user's token, a tampered one.
    const other = await f.userWithTotp();
    expect(
      (await f.call('POST', '/api/v1/auth/login', { body: { email: other.email, password: PASSWORD, deviceToken } })).body.status,
    ).toBe('challenge');
    const tampered = deviceToken!.slice(0, -2) + (deviceToken!.endsWith('A') ? 'BB' : 'AA');
    expect(
      (await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken: tampered } })).body.status,
    ).toBe('challenge');
    // Listed, then forgotten.
    const devices = await f.call('GET', '/api/v1/me/devices', { token: trusted.body.session.token });
    expect(devices.body).toHaveLength(1);
    expect(devices.body[0].name).toMatch(/ on /);
    expect((await f.call('DELETE', `/api/v1/me/devices/${devices.body[0].id}`, { token: trusted.body.session.token })).status).toBe(204);
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken } })).body.status).toBe(
      'challenge',
    );
  });

  it('expire after 30 days by default', async () => {
    const user = await f.userWithTotp();
    const { deviceToken } = await f.signInWithTotp(user, { rememberDevice: true });
    app.clock.advance(30 * 24 * 3600_000 + 1000);
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken } })).body.status).toBe(
      'challenge',
    );
  });

  it('forgetting all needs re-authentication; disabling 2FA ends them too', async () => {
    const user = await f.userWithTotp();
    const signedIn = await f.signInWithTotp(user, { rememberDevice: true });
    app.clock.advance(11 * 60_000);
    expect((await f.call('DELETE', '/api/v1/me/devices', { token: signedIn.session.token })).status).toBe(403);
    const second = await f.signInWithTotp(user, { rememberDevice: true });
    expect((await f.call('DELETE', '/api/v1/me/2fa', { token: second.session.token })).status).toBe(204);
    expect(await app.deps.db('trusted_devices').where({ user_id: user.id })).toHaveLength(0);
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(login.body.status).toBe('authenticated');
  });
});

describe('methods and sessions', () => {
  it('several methods at once, a preferred one, switching without losing the others', async () => {
    const user = await f.userWithTotp();
    await f.call('POST', '/api/v1/me/2fa/email', { token: user.token });
    await f.call('POST', '/api/v1/me/2fa/email/verify', { token: user.token, body: { code: app.lastCode(user.email, 'email') } });
    const switched = await f.call('PUT', '/api/v1/me/2fa/preferred', { token: user.token, body: { method: 'email' } });
    expect(switched.body.preferredMethod).toBe('email');
    expect(switched.body.methods.totp.enabled).toBe(true);
    expect((await f.startChallenge(user)).preferredMethod).toBe('email');
    expect((await f.call('PUT', '/api/v1/me/2fa/preferred', { token: user.token, body: { method: 'sms' } })).status).toBe(400);
  });

  it('lists sessions with client, address and last use, and signs one out', async () => {
    const user = await f.userWithTotp();
    const other = (await f.signInWithTotp(user)).session.token;
    const list = await f.call('GET', '/api/v1/me/sessions', { token: user.token });
    expect(list.body.length).toBeGreaterThanOrEqual(2);
    expect(list.body[0]).toMatchObject({ clients: ['web'], ip: '127.0.0.1' });
    const target = list.body.find((s: { current: boolean }) => !s.current);
    expect((await f.call('DELETE', `/api/v1/me/sessions/${target.id}`, { token: user.token })).status).toBe(204);
    expect((await f.call('GET', '/api/v1/session', { token: other })).status).toBe(401);
  });

  it("cannot sign out someone else's session", async () => {
    const a = await f.userWithTotp();
    const b = await f.userWithTotp();
    const bSession = (await f.call('GET', '/api/v1/me/sessions', { token: b.token })).body[0].id;
    expect((await f.call('DELETE', `/api/v1/me/sessions/${bSession}`, { token: a.token })).status).toBe(404);
    expect((await f.call('GET', '/api/v1/session', { token: b.token })).status).toBe(200);
  });
});

describe('trusted device cookie', () => {
  it('remembering a device also sets an HttpOnly cookie that the login reads', async () => {
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    const r = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()), rememberDevice: true },
    });
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('twofold_device='))!;
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie).toContain('path=/api/v1/auth');
    const login = await f.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: PASSWORD },
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(login.body.status).toBe('authenticated');
  });
});
