// The setup_required state: its challenge id opens the enrolment calls and nothing else, and the first verified
// method signs the user in. (Enforcement is set in the database here; its HTTP rules are tested with the admin API.)
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
  const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
  return { user, login: r };
}

describe('setup_required', () => {
  it('answers with the requiring account and no session', async () => {
    const { user, login } = await requiredUser();
    expect(login.body).toMatchObject({
      status: 'setup_required',
      allowedMethods: ['totp', 'sms', 'email'],
      requiredBy: [{ accountId: user.accountId, reason: 'enforced_for_all' }],
    });
    expect(login.headers.get('set-cookie')).toBeNull();
  });

  it('setup challenge id used as session: only the enrolment calls accept it', async () => {
    // Attack: use the setup challenge id as a full session.
    const { login } = await requiredUser();
    const token = login.body.challengeId;
    for (const [method, path] of [
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/me/2fa'],
      ['GET', '/api/v1/me/sessions'],
      ['PUT', '/api/v1/me/2fa/preferred'],
      ['GET', '/api/v1/me/devices'],
    ] as const) {
      expect((await f.call(method, path, { token, body: method === 'PUT' ? { method: 'totp' } : undefined })).status, path).toBe(401);
    }
    expect((await f.call('POST', '/api/v1/me/2fa/totp', { token })).status).toBe(200);
  });

  it('the first verified method signs the user in, and the challenge id then opens nothing', async () => {
    const { login } = await requiredUser();
    const token = login.body.challengeId;
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(verify.body).toMatchObject({ enabled: true, status: 'authenticated', session: { token: expect.any(String) } });
    expect(verify.body.backupCodes).toHaveLength(10);
    expect(verify.headers.get('set-cookie')).toMatch(/twofold_session=/);
    expect((await f.call('GET', '/api/v1/session', { token: verify.body.session.token })).body.twoFactorSetupRequired).toBe(false);
    expect((await f.call('POST', '/api/v1/me/2fa/totp', { token })).status).toBe(401);
  });

  it("brute force through setup enrolment: the setup challenge's 5 tries count like a sign-in's", async () => {
    // Attack: with the password alone, guess enrolment codes through the setup_required challenge (one attempt guard).
    const { login } = await requiredUser();
    const token = login.body.challengeId;
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await f.call('POST', '/api/v1/me/2fa/totp/verify', { token, body: { code: '000000' } }));
    expect(answers.slice(0, 4).map((r) => r.body.error.attemptsRemaining)).toEqual([4, 3, 2, 1]);
    expect(answers[4]!.status).toBe(429);
    const right = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(right.status).toBe(429);
  });

  it('a signed-in user who becomes required is sent to setup on the next request', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all' });
    const r = await f.call('GET', '/api/v1/me/sessions', { token });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: '2fa_setup_required', allowedMethods: ['totp', 'sms', 'email'] });
    expect((await f.call('GET', '/api/v1/session', { token })).body.twoFactorSetupRequired).toBe(true);
    await f.enrolTotp(token);
    expect((await f.call('GET', '/api/v1/me/sessions', { token })).status).toBe(200);
  });

  it.each([
    ['a per-member requirement', { require_2fa: true }, {}],
    ['enforce admins, for an owner', {}, { enforce: 'admins' }],
  ])('%s reaches a signed-in user on the next request (the hot path does not skip it)', async (_name, membership, account) => {
    const user = await f.signup();
    const token = await f.login(user);
    if (Object.keys(membership).length) await app.deps.db('memberships').where({ user_id: user.id }).update(membership);
    if (Object.keys(account).length) await app.deps.db('accounts').where({ id: user.accountId }).update(account);
    expect((await f.call('GET', '/api/v1/me/devices', { token })).body.error.code).toBe('2fa_setup_required');
    expect((await f.call('GET', '/api/v1/session', { token })).body.twoFactorSetupRequired).toBe(true);
  });

  it('enforce admins leaves a plain member alone', async () => {
    const owner = await f.signup();
    const member = await f.signup();
    await app.deps
      .db('memberships')
      .insert({ account_id: owner.accountId, user_id: member.id, role: 'member', created_at: app.clock.now() });
    await app.deps.db('accounts').where({ id: owner.accountId }).update({ enforce: 'admins' });
    const token = await f.login(member);
    expect((await f.call('GET', '/api/v1/me/devices', { token })).status).toBe(200);
    expect((await f.call('GET', '/api/v1/session', { token })).body.twoFactorSetupRequired).toBe(false);
  });

  it('a method outside the policy is 422 method_not_allowed_by_policy', async () => {
    const user = await f.signup();
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all', allowed_methods: '["totp"]' });
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(login.body.allowedMethods).toEqual(['totp']);
    const r = await f.call('POST', '/api/v1/me/2fa/sms', { token: login.body.challengeId, body: { phone: '+61412345678' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('method_not_allowed_by_policy');
  });

  it('turning 2FA off while an account requires it is 409 2fa_required_by_account', async () => {
    const user = await f.userWithTotp();
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all' });
    const r = await f.call('DELETE', '/api/v1/me/2fa', { token: user.token });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('2fa_required_by_account');
    expect((await f.call('DELETE', '/api/v1/me/2fa/totp', { token: user.token })).body.error.code).toBe('2fa_required_by_account');
    const status = await f.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body).toMatchObject({ enabled: true, required: true, canDisable: false });
  });

  it('a trusted device does not skip a requirement added after it was trusted', async () => {
    const user = await f.userWithTotp();
    const { deviceToken } = await f.signInWithTotp(user, { rememberDevice: true });
    app.clock.advance(60_000);
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all', enforce_tightened_at: app.clock.now() });
    const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken } });
    expect(r.body.status).toBe('challenge');
    const { deviceToken: newer } = await f.signInWithTotp(user, { rememberDevice: true });
    expect(
      (await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, deviceToken: newer } })).body.status,
    ).toBe('authenticated');
  });
});
