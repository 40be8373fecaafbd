// Attacks on the login challenge: skipping it, forging it, brute-forcing it, replaying codes, odd code shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { hashToken } from '../../api/crypto/secrets.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  app = await startTestApp();
  f = factories(app);
});
afterAll(() => app.close());

const verify = (challengeId: string, body: unknown) => f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body });

describe('second step skipped', () => {
  it('no session, cookie or token exists before the second factor passes', async () => {
    // Attack: stop after the password and use whatever the server handed out.
    const user = await f.userWithTotp();
    const sessionsBefore = await app.deps.db('sessions').where({ user_id: user.id }).count({ n: '*' }).first();
    const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(r.body.status).toBe('challenge');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(r.body.session).toBeUndefined();
    expect(await app.deps.db('sessions').where({ user_id: user.id }).count({ n: '*' }).first()).toEqual(sessionsBefore);
  });

  it('challenge id used as session: refused everywhere but the challenge calls', async () => {
    // Attack: present the challenge id as a bearer token or cookie.
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    for (const [method, path] of [
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/me/2fa'],
      ['POST', '/api/v1/me/2fa/totp'],
      ['GET', '/api/v1/me/sessions'],
    ] as const) {
      expect((await f.call(method, path, { token: challengeId })).status, path).toBe(401);
      // From the web app's own origin, so the browser-origin check (403 for other origins) is not what refuses it.
      expect((await f.call(method, path, { headers: { cookie: `twofold_session=${challengeId}`, origin: app.url } })).status, path).toBe(
        401,
      );
    }
  });

  it('client flags change nothing', async () => {
    // Attack: claim in the request that the second factor already passed.
    const user = await f.userWithTotp();
    const r = await f.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: PASSWORD, status: 'authenticated', twoFactorPassed: true, client: 'dialer' },
      headers: { 'x-twofold-client': 'dialer' },
    });
    expect(r.body.status).toBe('challenge');
  });
});

describe('challenge forgery', () => {
  it("another user's challenge id is refused with their code... and with mine", async () => {
    // Attack: use my valid code against someone else's challenge.
    const alice = await f.userWithTotp();
    const mallory = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(alice);
    const r = await verify(challengeId, { method: 'totp', code: generateTotp(mallory.secret, app.clock.now()) });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_code');
  });

  it('a guessed, an expired and a used challenge id are refused', async () => {
    // Attack: guess, outlive or reuse challenge ids.
    const user = await f.userWithTotp();
    expect((await verify('A'.repeat(43), { method: 'totp', code: '123456' })).status).toBe(410);
    const expired = await f.startChallenge(user);
    app.clock.advance(10 * 60_000 + 1000);
    const late = await verify(expired.challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now()) });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('challenge_expired');
    const used = await f.startChallenge(user);
    expect((await verify(used.challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now()) })).status).toBe(200);
    app.clock.advance(30_000);
    expect((await verify(used.challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now()) })).status).toBe(410);
  });

  it('a method the challenge did not offer counts as a wrong code', async () => {
    // Attack: pick a weaker method than the ones offered.
    const user = await f.userWithTotp();
    const { challengeId, methods } = await f.startChallenge(user);
    expect(methods).not.toContain('sms');
    const r = await verify(challengeId, { method: 'sms', code: '123456' });
    expect(r.status).toBe(401);
    expect(r.body.error.attemptsRemaining).toBe(4);
  });
});

describe('brute force', () => {
  it('the fifth wrong code spends the challenge; even the right code is then refused', async () => {
    // Attack: keep guessing on one challenge.
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    for (let i = 1; i <= 4; i++) expect((await verify(challengeId, { method: 'totp', code: '000000' })).status).toBe(401);
    const fifth = await verify(challengeId, { method: 'totp', code: '000000' });
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(fifth.body.error.retryAfterSeconds).toBeGreaterThan(0);
    expect((await verify(challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now()) })).status).toBe(429);
  });

  it('50 parallel wrong guesses on one challenge: only 5 are evaluated', async () => {
    // Attack: race the attempt counter with concurrent requests.
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => verify(challengeId, { method: 'totp', code: String(100000 + i) })),
    );
    const evaluated =
      answers.filter((a) => a.status === 401).length +
      answers.filter((a) => a.status === 429 && a.body.error.message.includes('sign-in')).length;
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    const row = await app.deps.db('challenges').where({ user_id: user.id }).orderBy('created_at', 'desc').first();
    expect(row.attempts).toBe(5);
    const u = await app.deps.db('users').where({ id: user.id }).first();
    expect(u.failed_code_streak).toBe(5);
    expect(evaluated).toBeGreaterThanOrEqual(5);
  });

  it('10 wrong codes in a row across challenges and addresses lock code entry for 15 minutes, and are audited', async () => {
    // Attack: spread guesses over fresh challenges and spoofed addresses to dodge the per-challenge cap.
    const user = await f.userWithTotp();
    let last: { status: number; body: any } | undefined;
    for (let i = 0; i < 10; i++) {
      const { challengeId } = await f.startChallenge(user);
      last = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
        body: { method: 'totp', code: '000000' },
        headers: { 'x-forwarded-for': `10.0.0.${i}` },
      });
    }
    expect(last!.status).toBe(429);
    expect(last!.body.error.retryAfterSeconds).toBe(900);
    // While locked, even the right password answers 429, and so does the right code on an older challenge.
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(login.status).toBe(429);
    expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
    const audit = await app.deps.db('audit_events').where({ subject_user_id: user.id, type: 'login.locked_out' });
    expect(audit).toHaveLength(1);
    app.clock.advance(15 * 60_000 + 1000);
    expect((await f.signInWithTotp(user)).session.token).toBeTruthy();
  });

  it('a code for a locked user is refused on the challenge read: no try of an older challenge is spent', async () => {
    // Attack: keep flooding the challenges opened before the lock; each should cost one read, not writes.
    const user = await f.userWithTotp();
    const [first, second, spare] = [await f.startChallenge(user), await f.startChallenge(user), await f.startChallenge(user)];
    for (const { challengeId } of [first, second]) {
      for (let i = 0; i < 5; i++) await verify(challengeId, { method: 'totp', code: '000000' });
    }
    const locked = await verify(spare.challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now()) });
    expect(locked.status).toBe(429);
    expect(locked.body.error.retryAfterSeconds).toBeGreaterThan(800);
    const spareRow = await app.deps
      .db('challenges')
      .where({ token_hash: hashToken(spare.challengeId) })
      .first();
    expect(spareRow.attempts).toBe(0);
    const u = await app.deps.db('users').where({ id: user.id }).first();
    expect([u.failed_code_streak, u.failed_code_total]).toEqual([0, 10]);
  });

  it('concurrent guesses across challenges cannot pass the user lock', async () => {
    // Attack: open many challenges and guess on all of them at once.
    const user = await f.userWithTotp();
    const challenges = await Promise.all(Array.from({ length: 5 }, () => f.startChallenge(user)));
    await Promise.all(
      challenges.flatMap((c) => Array.from({ length: 5 }, (_, i) => verify(c.challengeId, { method: 'totp', code: String(200000 + i) }))),
    );
    const u = await app.deps.db('users').where({ id: user.id }).first();
    expect(u.code_locked_until).toBeGreaterThan(app.clock.now());
    const { failed_code_total } = u;
    expect(failed_code_total).toBeLessThanOrEqual(10);
  });

  it('100 wrong codes in a row lock code entry until an admin resets 2FA', async () => {
    // Attack: a patient guesser who waits out every 15-minute lock.
    const user = await f.userWithTotp();
    await app.deps.db('users').where({ id: user.id }).update({ failed_code_total: 99 });
    const { challengeId } = await f.startChallenge(user);
    expect((await verify(challengeId, { method: 'totp', code: '000000' })).status).toBe(429);
    app.clock.advance(60 * 60_000);
    const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(r.status).toBe(429);
  });
});

describe('replay', () => {
  it('the same TOTP code twice, and an earlier step after a later one', async () => {
    // Attack: reuse a code seen over a shoulder or in a phishing proxy.
    const user = await f.userWithTotp();
    const code = generateTotp(user.secret, app.clock.now());
    const first = await f.startChallenge(user);
    expect((await verify(first.challengeId, { method: 'totp', code })).status).toBe(200);
    const second = await f.startChallenge(user);
    expect((await verify(second.challengeId, { method: 'totp', code })).status).toBe(401);
    const earlier = generateTotp(user.secret, app.clock.now() - 30_000);
    expect((await verify(second.challengeId, { method: 'totp', code: earlier })).status).toBe(401);
  });
});

describe('code shapes', () => {
  const shapes: [string, unknown, number[]][] = [
    ['empty', '', [401]],
    ['five digits', '12345', [401]],
    ['seven digits', '1234567', [401]],
    ['leading space', ' 123456', [401]],
    ['Unicode digits', '١٢٣٤٥٦', [401]],
    ['a number', 123456, [400]],
    ['an array', ['123456'], [400]],
    ['an object', { code: '123456' }, [400]],
    ['null', null, [400]],
    ['missing', undefined, [400]],
    ['huge', '1'.repeat(10_000), [400]],
  ];
  it.each(shapes)('%s → 400 or 401, never accepted', async (_name, code, statuses) => {
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    for (const method of ['totp', 'backup_code', 'recovery_code']) {
      const r = await verify(challengeId, { method, code });
      expect(statuses, `${method}: ${JSON.stringify(r.body)}`).toContain(r.status);
    }
  });
});
