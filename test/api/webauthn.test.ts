// Security keys and passkeys through HTTP, with a software authenticator (ES256, `none` attestation): add, list,
// rename, remove, sign in, re-authenticate, and the "security keys only" policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { keyFactories } from '../support/security-keys.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { generateTotp } from '../../shared/totp.ts';
import { PASSWORD } from '../support/factories.ts';

let app: TestApp;
let k: ReturnType<typeof keyFactories>;
let a: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp({ hostname: 'localhost' });
  k = keyFactories(app);
  a = accountFactories(app);
});
afterAll(() => app.close());

const events = async (userId: string, type: string) =>
  app.deps.db('audit_events').where({ subject_user_id: userId }).where('type', type).orderBy('id');

describe('adding a security key', () => {
  it("the relying party is PUBLIC_URL: its host is the RP id; the user's keys are excluded from new ceremonies", async () => {
    const user = await k.signup();
    const token = await k.login(user);
    const options = await k.registrationOptions(token);
    expect(options.rp.id).toBe('localhost');
    expect(options).toMatchObject({ attestation: 'none', user: { name: user.email, displayName: user.name }, excludeCredentials: [] });
    const auth = new SoftAuthenticator(app.url);
    const added = await k.addAcceptedKey(token, auth);
    expect((await k.registrationOptions(token)).excludeCredentials!.map((c) => c.id)).toEqual([added.id]);
  });

  it('the first key turns 2FA on like any first method: backup codes, preferred method, listed with its name', async () => {
    const user = await k.signup();
    const token = await k.login(user);
    const auth = new SoftAuthenticator(app.url);
    const { answer, key } = await k.addKey(token, auth, '  Blue YubiKey  ');
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ id: key.id, name: 'Blue YubiKey' });
    expect(answer.body.backupCodes).toHaveLength(10);
    const status = await k.call('GET', '/api/v1/me/2fa', { token });
    expect(status.body).toMatchObject({
      enabled: true,
      preferredMethod: 'webauthn',
      methods: { webauthn: { enabled: true, credentials: [{ id: key.id, name: 'Blue YubiKey', lastUsedAt: null }] } },
    });
    expect(await events(user.id, 'webauthn.key_added')).toHaveLength(1);
    expect((await events(user.id, '2fa.enabled')).map((e) => JSON.parse(e.detail))).toEqual([{ method: 'webauthn' }]);
  });

  it('a second key is added without new backup codes; a key with TOTP on becomes the preferred method', async () => {
    const user = await k.userWithTotp();
    const auth = new SoftAuthenticator(app.url);
    const first = await k.addAcceptedKey(user.token, auth, 'Laptop');
    expect(first.backupCodes).toBeUndefined();
    const second = await k.addAcceptedKey(user.token, auth, 'Phone');
    expect(second.backupCodes).toBeUndefined();
    const status = await k.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body.preferredMethod).toBe('webauthn');
    expect(status.body.methods.webauthn.credentials.map((c: { name: string }) => c.name)).toEqual(['Laptop', 'Phone']);
    expect((await events(user.id, '2fa.method_added')).map((e) => JSON.parse(e.detail).method)).toEqual(['webauthn']);
  });

  it('a name is required and bounded; a body without a response is 400 and adds nothing', async () => {
    const user = await k.signup();
    const token = await k.login(user);
    const options = await k.registrationOptions(token);
    const { response } = new SoftAuthenticator(app.url).register(options);
    for (const body of [
      { name: '', response },
      { name: 'x'.repeat(65), response },
      { response },
      { name: 'Key' },
      { name: 'Key', response: { ...response, type: 'password' } },
      { name: 'Key', response: 'yes' },
    ]) {
      const r = await k.call('POST', '/api/v1/me/2fa/webauthn', { token, body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    expect(await app.deps.db('webauthn_credentials').where({ user_id: user.id })).toHaveLength(0);
    expect((await k.call('GET', '/api/v1/me/2fa', { token })).body.enabled).toBe(false);
  });
});

describe('signing in with a security key', () => {
  it("the challenge offers webauthn first; the key's answer signs in, and last use and the counter are recorded", async () => {
    const user = await k.userWithKey();
    const { challenge, options, answer } = await k.signInWithKey(user, user.authenticator);
    expect(challenge).toMatchObject({ preferredMethod: 'webauthn' });
    expect(challenge.methods).toEqual(['webauthn', 'backup_code', 'recovery_code']);
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials.map((c) => c.id)).toEqual([user.key.id]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ status: 'authenticated', user: { id: user.id } });
    expect(answer.headers.get('set-cookie')).toMatch(/twofold_session=/);
    const row = await app.deps.db('webauthn_credentials').where({ id: user.key.id }).first();
    expect(Number(row.sign_count)).toBe(user.key.signCount);
    expect(Number(row.last_used_at)).toBe(app.clock.now());
    const status = await k.call('GET', '/api/v1/me/2fa', { token: answer.body.session.token });
    expect(status.body.methods.webauthn.credentials[0].lastUsedAt).toBe(new Date(app.clock.now()).toISOString());
    expect((await events(user.id, 'webauthn.key_used')).map((e) => JSON.parse(e.detail))).toEqual([
      { credentialId: user.key.id, name: 'YubiKey' },
    ]);
  });

  it('remember this device works with a key as with a code', async () => {
    const user = await k.userWithKey();
    const challenge = await k.startChallenge(user);
    const options = await k.assertionOptions(challenge.challengeId);
    const response = user.authenticator.assert(options);
    const r = await k.call('POST', `/api/v1/auth/challenge/${challenge.challengeId}/verify`, {
      body: { method: 'webauthn', response, rememberDevice: true },
    });
    expect(r.body.deviceToken).toEqual(expect.any(String));
    const again = await k.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: PASSWORD, deviceToken: r.body.deviceToken },
    });
    expect(again.body.status).toBe('authenticated');
  });

  it('an authenticator that does not count (counter always 0) is accepted every time', async () => {
    const user = await k.userWithKey();
    for (let i = 0; i < 2; i++) {
      const { answer } = await k.signInWithKey(user, user.authenticator, { signCount: 0 });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
  });

  it('a user with a key and TOTP can still use the app, or a backup code', async () => {
    const user = await k.userWithTotp();
    const auth = new SoftAuthenticator(app.url);
    await k.addAcceptedKey(user.token, auth);
    const { challengeId, methods } = await k.startChallenge(user);
    expect(methods).toEqual(['totp', 'webauthn', 'backup_code', 'recovery_code']);
    app.clock.advance(30_000);
    const r = await k.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
    });
    expect(r.status).toBe(200);
  });

  it('re-authentication with a key', async () => {
    const user = await k.userWithKey();
    app.clock.advance(11 * 60_000);
    const token = (await k.signInWithKey(user, user.authenticator)).answer.body.session.token as string;
    app.clock.advance(11 * 60_000);
    expect((await k.call('GET', '/api/v1/me/2fa/backup-codes', { token })).body.error.code).toBe('reauth_required');
    const options = (await k.call('POST', '/api/v1/auth/reauth/webauthn-options', { token })).body.options;
    const response = user.authenticator.assert(options);
    const r = await k.call('POST', '/api/v1/auth/reauth', { token, body: { method: 'webauthn', response } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await k.call('GET', '/api/v1/me/2fa/backup-codes', { token })).status).toBe(200);
  });
});

describe('renaming and removing keys', () => {
  it("renames a key; an empty name or another user's key is refused", async () => {
    const user = await k.userWithKey();
    const other = await k.userWithKey();
    const path = (id: string) => `/api/v1/me/2fa/webauthn/${id}`;
    const r = await k.call('PUT', path(user.key.id), { token: user.token, body: { name: 'Work key' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: user.key.id, name: 'Work key' });
    expect((await k.call('PUT', path(user.key.id), { token: user.token, body: { name: ' ' } })).status).toBe(400);
    expect((await k.call('PUT', path(other.key.id), { token: user.token, body: { name: 'Mine now' } })).status).toBe(404);
    expect((await app.deps.db('webauthn_credentials').where({ id: other.key.id }).first()).name).toBe('YubiKey');
    expect(await events(user.id, 'webauthn.key_renamed')).toHaveLength(1);
  });

  it('removing a key needs re-authentication; removing one of two keeps the method on', async () => {
    const user = await k.userWithKey();
    const second = await k.addAcceptedKey(user.token, user.authenticator, 'Spare');
    app.clock.advance(11 * 60_000);
    const path = `/api/v1/me/2fa/webauthn/${second.id}`;
    expect((await k.call('DELETE', path, { token: user.token })).body.error.code).toBe('reauth_required');
    await k.reauthWithPassword(user.token);
    expect((await k.call('DELETE', path, { token: user.token })).status).toBe(204);
    expect((await k.call('DELETE', path, { token: user.token })).status).toBe(404);
    const status = await k.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body.methods.webauthn).toMatchObject({ enabled: true, credentials: [{ id: user.key.id }] });
    expect((await events(user.id, 'webauthn.key_removed')).map((e) => JSON.parse(e.detail))).toEqual([
      { credentialId: second.id, name: 'Spare' },
    ]);
  });

  it('removing the last key while an account requires 2FA that nothing else satisfies: 409, the key stays', async () => {
    const owner = await k.userWithKey();
    expect((await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['totp', 'webauthn'] })).status).toBe(200);
    const r = await k.call('DELETE', `/api/v1/me/2fa/webauthn/${owner.key.id}`, { token: owner.token });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('2fa_required_by_account');
    expect(await app.deps.db('webauthn_credentials').where({ id: owner.key.id })).toHaveLength(1);
  });

  it('removing the only key of a user who is not required to use 2FA turns 2FA off', async () => {
    const user = await k.userWithKey();
    expect((await k.call('DELETE', `/api/v1/me/2fa/webauthn/${user.key.id}`, { token: user.token })).status).toBe(204);
    const status = await k.call('GET', '/api/v1/me/2fa', { token: user.token });
    expect(status.body).toMatchObject({
      enabled: false,
      methods: { webauthn: { enabled: false, credentials: [] } },
      backupCodes: { remaining: 0 },
    });
    expect((await k.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })).body.status).toBe(
      'authenticated',
    );
  });

  it('turning 2FA off, removing the method, or an admin reset removes every key', async () => {
    const off = await k.userWithKey();
    await k.addAcceptedKey(off.token, off.authenticator, 'Spare');
    expect((await k.call('DELETE', '/api/v1/me/2fa', { token: off.token })).status).toBe(204);
    expect(await app.deps.db('webauthn_credentials').where({ user_id: off.id })).toHaveLength(0);

    const method = await k.userWithKey();
    await k.addAcceptedKey(method.token, method.authenticator, 'Spare');
    expect((await k.call('DELETE', '/api/v1/me/2fa/webauthn', { token: method.token })).status).toBe(204);
    expect(await app.deps.db('webauthn_credentials').where({ user_id: method.id })).toHaveLength(0);

    const owner = await a.ownerWithTotp();
    const member = await a.addMember(owner.token, owner.accountId, 'member');
    const auth = new SoftAuthenticator(app.url);
    await k.addAcceptedKey(member.token, auth);
    expect((await k.call('POST', `${a.base(owner.accountId)}/members/${member.id}/2fa/reset`, { token: owner.token })).status).toBe(204);
    expect(await app.deps.db('webauthn_credentials').where({ user_id: member.id })).toHaveLength(0);
    expect((await k.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } })).body.status).toBe(
      'authenticated',
    );
  });
});

describe('the "security keys only" policy', () => {
  it('is accepted as ["webauthn"]; SMS still needs the app alongside it', async () => {
    const owner = await k.userWithKey();
    const ok = await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['webauthn'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.allowedMethods).toEqual(['webauthn']);
    for (const allowedMethods of [['sms', 'webauthn'], ['webauthn', 'sms', 'email'], ['passkey']]) {
      const r = await a.setPolicy(owner.token, owner.accountId, { allowedMethods });
      expect(r.status, JSON.stringify(allowedMethods)).toBe(400);
    }
  });

  it('an owner without a key cannot require keys only (409 owners_without_2fa)', async () => {
    const owner = await a.ownerWithTotp();
    const r = await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['webauthn'] });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('owners_without_2fa');
  });

  it('the impact preview lists the members without a key; a member with only TOTP is sent to set one up', async () => {
    const owner = await k.userWithKey();
    const withTotp = await a.addMember(owner.token, owner.accountId, 'member', 'Tess Totp');
    const totp = await a.enrolTotp(withTotp.token);
    const withKey = await a.addMember(owner.token, owner.accountId, 'member', 'Kim Key');
    await k.addAcceptedKey(withKey.token, new SoftAuthenticator(app.url));
    const preview = await k.call('POST', `${a.base(owner.accountId)}/security/2fa-policy/preview`, {
      token: owner.token,
      body: { enforce: 'all', allowedMethods: ['webauthn'] },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.membersToSetUp.map((m: { userId: string }) => m.userId)).toEqual([withTotp.id]);
    expect(preview.body.ownersWithout2fa).toEqual([]);
    expect((await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['webauthn'] })).status).toBe(200);

    // Tess passes her TOTP challenge, and her session can then only add a key.
    const challenge = await k.startChallenge(withTotp);
    expect(challenge.methods).toContain('totp');
    app.clock.advance(30_000);
    const signedIn = await k.call('POST', `/api/v1/auth/challenge/${challenge.challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(totp.secret, app.clock.now()) },
    });
    const token = signedIn.body.session.token as string;
    const blocked = await k.call('GET', '/api/v1/me/sessions', { token });
    expect(blocked.body.error).toMatchObject({ code: '2fa_setup_required', allowedMethods: ['webauthn'] });
    expect((await k.call('POST', '/api/v1/me/2fa/totp', { token })).body.error.code).toBe('method_not_allowed_by_policy');
    await k.addAcceptedKey(token, new SoftAuthenticator(app.url));
    expect((await k.call('GET', '/api/v1/me/sessions', { token })).status).toBe(200);
  });

  it('a member with no 2FA at all adds a key through the setup_required challenge and is signed in by it', async () => {
    const owner = await k.userWithKey();
    const member = await a.addMember(owner.token, owner.accountId, 'member');
    expect((await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['webauthn'] })).status).toBe(200);
    const login = await k.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } });
    expect(login.body).toMatchObject({ status: 'setup_required', allowedMethods: ['webauthn'] });
    const { answer } = await k.addKey(login.body.challengeId, new SoftAuthenticator(app.url));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ status: 'authenticated', user: { id: member.id } });
    expect(answer.body.backupCodes).toHaveLength(10);
    expect(answer.headers.get('set-cookie')).toMatch(/twofold_session=/);
    expect((await k.call('GET', '/api/v1/session', { token: answer.body.session.token })).body.twoFactorSetupRequired).toBe(false);
  });

  it('multi-account: a key satisfies a keys-only account and an app-or-key account at once', async () => {
    const keysOnly = await k.userWithKey({ accountName: 'Keys only' });
    const either = await k.userWithKey({ accountName: 'App or key' });
    const member = await k.signup();
    const memberToken = await k.login(member);
    for (const owner of [keysOnly, either])
      await a.joinAsExistingUser(owner.token, owner.accountId, { email: member.email, token: memberToken });
    expect((await a.setPolicy(keysOnly.token, keysOnly.accountId, { enforce: 'all', allowedMethods: ['webauthn'] })).status).toBe(200);
    expect((await a.setPolicy(either.token, either.accountId, { enforce: 'all', allowedMethods: ['totp', 'webauthn'] })).status).toBe(200);
    const login = await k.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } });
    expect(login.body).toMatchObject({ status: 'setup_required', allowedMethods: ['webauthn'] });
    expect(login.body.requiredBy.map((r: { accountName: string }) => r.accountName).sort()).toEqual(['App or key', 'Keys only']);
    const { answer } = await k.addKey(login.body.challengeId, new SoftAuthenticator(app.url));
    expect(answer.body.status).toBe('authenticated');
    expect((await k.call('GET', '/api/v1/session', { token: answer.body.session.token })).body.twoFactorSetupRequired).toBe(false);
  });
});
