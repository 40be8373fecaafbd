// Stale grants: a setup_required challenge that outlives the state that issued it, and a factor added or replaced
// by a session that has not proved itself lately.
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

async function requiredUser() {
  const user = await f.signup();
  await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all', enforce_tightened_at: app.clock.now() });
  return user;
}

async function setupChallenge(user: { email: string }): Promise<string> {
  const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
  expect(r.body.status).toBe('setup_required');
  return r.body.challengeId;
}

describe('stale setup challenge', () => {
  it('stale setup token: a setup challenge taken before the user enrolled cannot replace the seed or sign in', async () => {
    // Attack: keep a setup_required challenge id (a log line, another tab) and, after the user turned 2FA on,
    // start a seed of one's own with it and verify it to get a session.
    const user = await requiredUser();
    const stale = await setupChallenge(user);
    const own = await setupChallenge(user);
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token: own });
    const enabled = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token: own,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(enabled.body.status).toBe('authenticated');
    app.clock.advance(30_000);

    const attackerStart = await f.call('POST', '/api/v1/me/2fa/totp', { token: stale });
    expect(attackerStart.status).toBe(401);
    expect(attackerStart.body.error.code).toBe('unauthenticated');
    expect((await f.call('POST', '/api/v1/me/2fa/sms', { token: stale, body: { phone: '+61412345678' } })).status).toBe(401);
    expect((await f.call('POST', '/api/v1/me/2fa/totp/verify', { token: stale, body: { code: '123456' } })).status).toBe(401);
    // The challenge itself is over, not merely refused by the enrolment calls.
    const verify = await f.call('POST', `/api/v1/auth/challenge/${stale}/verify`, {
      body: { method: 'recovery_code', code: 'ABCDE-FGHJK-LMNPQ' },
    });
    expect(verify.status).toBe(410);
    expect(verify.body.error.code).toBe('challenge_expired');
    expect(await app.deps.db('challenges').where({ user_id: user.id, kind: 'setup' }).whereNull('completed_at')).toEqual([]);
  });

  it('stale setup token after enrolment by session: enabling a method from a session ends the pending setup challenges', async () => {
    // Attack: the same, when the user turned 2FA on from a session they already had.
    const user = await f.signup();
    const token = await f.login(user);
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all', enforce_tightened_at: app.clock.now() });
    const stale = await setupChallenge(user);
    await f.enrolTotp(token);
    expect((await f.call('POST', '/api/v1/me/2fa/totp', { token: stale })).status).toBe(401);
    expect(
      (await f.call('POST', `/api/v1/auth/challenge/${stale}/verify`, { body: { method: 'recovery_code', code: 'ABCDE-FGHJK-LMNPQ' } }))
        .status,
    ).toBe(410);
  });

  it('setup challenge of a user who has a method: the enrolment guard refuses it, however the method came to be on', async () => {
    // Attack: a setup challenge that escaped being ended (issued by a login racing the enrolment) used afterwards.
    const user = await requiredUser();
    const stale = await setupChallenge(user);
    await app.deps
      .db('factors')
      .insert({ user_id: user.id, method: 'email', enabled_at: app.clock.now(), destination: user.email, updated_at: app.clock.now() });
    const r = await f.call('POST', '/api/v1/me/2fa/totp', { token: stale });
    expect(r.status).toBe(401);
    expect((await app.deps.db('factors').where({ user_id: user.id, method: 'totp' })).length).toBe(0);
  });
});

describe('factor replaced without a fresh proof', () => {
  const REAUTH_WINDOW_PASSED = 11 * 60_000;

  it('factor replaced without a fresh proof: past the reauth window, a new seed, phone or email answers 403 reauth_required', async () => {
    // Attack: with a session left open (no password, no code), swap the victim's authenticator or phone for one's own.
    const user = await f.userWithTotp();
    app.clock.advance(REAUTH_WINDOW_PASSED);
    const token = user.token;
    for (const [path, body] of [
      ['/api/v1/me/2fa/totp', undefined],
      ['/api/v1/me/2fa/totp/verify', { code: '123456' }],
      ['/api/v1/me/2fa/sms', { phone: '+61412345678' }],
      ['/api/v1/me/2fa/sms/verify', { code: '123456' }],
      ['/api/v1/me/2fa/email', {}],
      ['/api/v1/me/2fa/email/verify', { code: '123456' }],
    ] as const) {
      const r = await f.call('POST', path, { token, body });
      expect(r.status, path).toBe(403);
      expect(r.body.error.code, path).toBe('reauth_required');
    }
    expect(app.outbox().filter((m) => m.to === '+61412345678')).toEqual([]);
    const factor = await app.deps.db('factors').where({ user_id: user.id, method: 'totp' }).first();
    expect(factor.pending_secret_sealed).toBeNull();

    // With a fresh proof the same calls work.
    expect((await f.call('POST', '/api/v1/auth/reauth', { token, body: { password: PASSWORD } })).status).toBe(200);
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    expect(start.status).toBe(200);
    app.clock.advance(30_000);
    expect(
      (await f.call('POST', '/api/v1/me/2fa/totp/verify', { token, body: { code: generateTotp(start.body.secret, app.clock.now()) } }))
        .status,
    ).toBe(200);
  });

  it('factor replaced without a fresh proof: a seed started inside the window cannot be verified after it', async () => {
    // Attack: start the swap while the window is open, finish it at leisure.
    const user = await f.userWithTotp();
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token: user.token });
    expect(start.status).toBe(200);
    app.clock.advance(REAUTH_WINDOW_PASSED);
    const r = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token: user.token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(r.body.error?.code).toBe('reauth_required');
  });

  it('a first method needs no reauth: turning 2FA on is never harder than leaving it off', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    app.clock.advance(REAUTH_WINDOW_PASSED);
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    expect(start.status).toBe(200);
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(verify.status).toBe(200);
  });
});
