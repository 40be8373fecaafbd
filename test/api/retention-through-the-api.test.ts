// The retention sweep seen from a client, with the injected clock: nothing live stops working, an ended session
// says why until its tail is over, and only then is it forgotten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { retentionRules, sweepExpired } from '../../api/ops/retention.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories } from '../support/factories.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let app: TestApp;
const rules = retentionRules({ auditRetentionDays: 365 });
const sweep = () => sweepExpired(app.deps.db, rules, app.clock.now());

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('retention through the API', () => {
  it('keeps an ended session (and its reason) for 7 days, then forgets it; live sessions are untouched', async () => {
    const f = factories(app);
    const user = await f.signup();
    const older = await f.login(user);
    const ended = await f.login(user);
    expect((await f.call('POST', '/api/v1/auth/logout', { token: ended })).status).toBe(204);
    const endedAt = app.clock.now();

    app.clock.set(endedAt + 7 * DAY);
    const live = await f.login(user);
    await sweep();
    const stillTold = await f.call('GET', '/api/v1/session', { token: ended });
    expect(stillTold.status).toBe(401);
    expect(stillTold.body.error.reason).toBe('signed_out');

    app.clock.advance(1);
    expect((await sweep()).sessions).toBe(1);
    const forgotten = await f.call('GET', '/api/v1/session', { token: ended });
    expect(forgotten.status).toBe(401);
    expect(forgotten.body.error.reason).toBeUndefined();
    expect((await f.call('GET', '/api/v1/session', { token: live })).status).toBe(200);
    // The older session expired 12 hours after sign-in: it goes 7 days after that, not before.
    expect((await f.call('GET', '/api/v1/session', { token: older })).body.error.reason).toBe('expired');
    app.clock.set(endedAt + 12 * HOUR + 7 * DAY + 1);
    expect((await sweep()).sessions).toBe(1);
    expect((await f.call('GET', '/api/v1/session', { token: older })).body.error.reason).toBeUndefined();
  });

  it('never takes a challenge, code or trusted device that still works', async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const { deviceToken } = await f.signInWithTotp(user, { rememberDevice: true });
    expect(deviceToken).toBeTruthy();
    const { challengeId } = await f.startChallenge(user);
    const token = await f.login(await f.signup());
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token, body: {} })).status).toBe(202);

    const counts = await sweep();
    for (const table of ['challenges', 'one_time_codes', 'trusted_devices', 'code_sends']) expect(counts[table], table).toBe(0);

    const verify = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
    });
    expect(verify.status).toBe(200);
    const remembered = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password, deviceToken } });
    expect(remembered.body.status).toBe('authenticated');
  });

  it('answers a swept challenge as an expired one (410)', async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    app.clock.advance(10 * MINUTE + DAY + 1);
    expect((await sweep()).challenges).toBeGreaterThanOrEqual(1);
    const r = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
    });
    expect(r.status).toBe(410);
    expect(r.body.error.code).toBe('challenge_expired');
  });
});
