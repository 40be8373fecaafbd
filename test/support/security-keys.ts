// Security keys for the API tests, through the HTTP API: add one with a software authenticator, start a
// sign-in ceremony, answer it.
import type { TestApp } from './app.ts';
import { factories, PASSWORD } from './factories.ts';
import { SoftAuthenticator, type Bend, type SoftKey } from './soft-authenticator.ts';

export function keyFactories(app: TestApp) {
  const f = factories(app);

  /** Options to add a key (`bearer`: a session token or a setup_required challenge id). */
  async function registrationOptions(bearer: string) {
    const r = await f.call('POST', '/api/v1/me/2fa/webauthn/options', { token: bearer });
    if (r.status !== 200) throw new Error(`webauthn options failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.options as { challenge: string; rp: { id: string }; excludeCredentials?: { id: string }[] };
  }

  /** Adds a key with `authenticator`; returns the answer and the authenticator's key. */
  async function addKey(bearer: string, authenticator: SoftAuthenticator, name = 'YubiKey', bend: Bend = {}) {
    const options = await registrationOptions(bearer);
    const { key, response } = authenticator.register(options, bend);
    const answer = await f.call('POST', '/api/v1/me/2fa/webauthn', { token: bearer, body: { name, response } });
    return { answer, key };
  }

  /** Adds a key that must be accepted. */
  async function addAcceptedKey(bearer: string, authenticator: SoftAuthenticator, name = 'YubiKey') {
    const { answer, key } = await addKey(bearer, authenticator, name);
    if (answer.status !== 201) throw new Error(`adding a key failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { ...answer.body, key } as { id: string; name: string; backupCodes?: string[]; key: SoftKey };
  }

  /** A new user (owner of their account) with one security key and nothing else. */
  async function userWithKey(overrides: Parameters<typeof f.signup>[0] = {}) {
    const user = await f.signup(overrides);
    const token = await f.login(user);
    const authenticator = new SoftAuthenticator(app.url);
    const added = await addAcceptedKey(token, authenticator);
    return { ...user, token, authenticator, key: added.key, backupCodes: added.backupCodes ?? [] };
  }

  async function assertionOptions(challengeId: string) {
    const r = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/webauthn-options`);
    if (r.status !== 200) throw new Error(`webauthn-options failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.options as { challenge: string; rpId: string; allowCredentials: { id: string }[] };
  }

  /** Password, then the key's answer (bent as asked); returns the verify answer. */
  async function signInWithKey(user: { email: string }, authenticator: SoftAuthenticator, bend: Bend = {}, key?: SoftKey) {
    const challenge = await f.startChallenge(user);
    const options = await assertionOptions(challenge.challengeId);
    const response = authenticator.assert(options, key, bend);
    const answer = await f.call('POST', `/api/v1/auth/challenge/${challenge.challengeId}/verify`, {
      body: { method: 'webauthn', response },
    });
    return { challenge, options, response, answer };
  }

  async function reauthWithPassword(token: string) {
    const r = await f.call('POST', '/api/v1/auth/reauth', { token, body: { password: PASSWORD } });
    if (r.status !== 200) throw new Error(`reauth failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  return { ...f, registrationOptions, addKey, addAcceptedKey, userWithKey, assertionOptions, signInWithKey, reauthWithPassword };
}
