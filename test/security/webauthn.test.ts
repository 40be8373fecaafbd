// Attacks on security keys and passkeys, with a software authenticator: forged, relayed, replayed and cloned
// assertions, another user's credential, ceremonies answered out of their binding, brute force through the
// attempt guard that codes share, registrations bent the same ways, and keys slipped in without a fresh proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD } from '../support/factories.ts';
import { keyFactories } from '../support/security-keys.ts';
import { accountFactories } from '../support/accounts.ts';
import { SoftAuthenticator, type Bend } from '../support/soft-authenticator.ts';

let app: TestApp;
let k: ReturnType<typeof keyFactories>;
beforeAll(async () => {
  app = await startTestApp({ hostname: 'localhost' });
  k = keyFactories(app);
});
afterAll(() => app.close());

const verify = (challengeId: string, body: unknown) => k.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body });
const streakOf = async (userId: string) => Number((await app.deps.db('users').where({ id: userId }).first()).failed_code_streak);
const sessionsOf = async (userId: string) => (await app.deps.db('sessions').where({ user_id: userId })).length;

/** The password step and a fresh key ceremony for it. */
async function ceremony(user: { email: string }) {
  const { challengeId } = await k.startChallenge(user);
  return { challengeId, options: await k.assertionOptions(challengeId) };
}

describe('forged assertions count as wrong codes', () => {
  it.each<[string, Bend]>([
    // Attack: flip a bit of a real signature.
    ['tampered signature', { tamperSignature: true }],
    // Attack: a phishing page relays our ceremony; the browser signs for the page's origin.
    ['assertion made for another origin (a relayed ceremony)', { origin: 'https://twofold.example-login.com' }],
    // Attack: a credential scoped to another relying party id.
    ['assertion for another RP id', { rpId: 'example-login.com' }],
    // Attack: a registration's client data passed off as a sign-in.
    ['client data of another ceremony type', { type: 'webauthn.create' }],
    // Attack: a key answering without anyone touching it.
    ['user not present', { noUserPresence: true }],
    // Attack: a signature over a challenge of the attacker's choosing.
    ['a challenge the server never issued', { challenge: 'c2lnbmVkLWVhcmxpZXItZm9yLXNvbWV0aGluZy1lbHNl' }],
  ])('%s: 401 invalid_code, one attempt spent, no session', async (_name, bend) => {
    const user = await k.userWithKey();
    const before = await sessionsOf(user.id);
    const { challengeId, options } = await ceremony(user);
    const r = await verify(challengeId, { method: 'webauthn', response: user.authenticator.assert(options, undefined, bend) });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: 4 });
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await streakOf(user.id)).toBe(1);
    expect(await sessionsOf(user.id)).toBe(before);
    expect(Number((await app.deps.db('webauthn_credentials').where({ id: user.key.id }).first()).last_used_at ?? 0)).toBe(0);
  });

  it('cloned key: a signature counter that goes back, or stays, is refused', async () => {
    // Attack: a copy of the key answers with a counter the real key already used.
    const user = await k.userWithKey();
    expect((await k.signInWithKey(user, user.authenticator, { signCount: 10 })).answer.status).toBe(200);
    for (const signCount of [5, 10]) {
      const { answer } = await k.signInWithKey(user, user.authenticator, { signCount });
      expect(answer.status, `counter ${signCount}`).toBe(401);
      expect(answer.body.error.code).toBe('invalid_code');
    }
    expect(Number((await app.deps.db('webauthn_credentials').where({ id: user.key.id }).first()).sign_count)).toBe(10);
    expect((await k.signInWithKey(user, user.authenticator, { signCount: 11 })).answer.status).toBe(200);
  });

  it('replayed assertion: refused on a new challenge and on the one it passed', async () => {
    // Attack: capture a key's answer (a proxy, a log) and send it again.
    const user = await k.userWithKey();
    const first = await k.signInWithKey(user, user.authenticator);
    expect(first.answer.status).toBe(200);
    expect((await verify(first.challenge.challengeId, { method: 'webauthn', response: first.response })).body.error.code).toBe(
      'challenge_expired',
    );
    const next = await ceremony(user);
    const replay = await verify(next.challengeId, { method: 'webauthn', response: first.response });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_code');
    const noCeremony = (await k.startChallenge(user)).challengeId;
    expect((await verify(noCeremony, { method: 'webauthn', response: first.response })).status).toBe(401);
  });

  it('a ceremony is answered once: after a wrong answer, even the right one needs a new ceremony', async () => {
    // Attack: keep retrying answers against one server challenge.
    const user = await k.userWithKey();
    const { challengeId, options } = await ceremony(user);
    expect(
      (
        await verify(challengeId, {
          method: 'webauthn',
          response: user.authenticator.assert(options, undefined, { tamperSignature: true }),
        })
      ).status,
    ).toBe(401);
    expect((await verify(challengeId, { method: 'webauthn', response: user.authenticator.assert(options) })).status).toBe(401);
    const fresh = await k.assertionOptions(challengeId);
    expect((await verify(challengeId, { method: 'webauthn', response: user.authenticator.assert(fresh) })).status).toBe(200);
  });

  it('ceremony bound to its login challenge: an answer for one sign-in does not pass another', async () => {
    // Attack: start two sign-ins and answer one with what the key signed for the other.
    const user = await k.userWithKey();
    const a = await ceremony(user);
    const b = await ceremony(user);
    expect((await verify(b.challengeId, { method: 'webauthn', response: user.authenticator.assert(a.options) })).status).toBe(401);
    expect((await verify(a.challengeId, { method: 'webauthn', response: user.authenticator.assert(a.options) })).status).toBe(200);
  });

  it('a credential of another user is refused, and never listed', async () => {
    // Attack: sign the victim's ceremony with the attacker's own registered key.
    const victim = await k.userWithKey();
    const attacker = await k.userWithKey();
    const { challengeId, options } = await ceremony(victim);
    expect(options.allowCredentials.map((c) => c.id)).toEqual([victim.key.id]);
    const r = await verify(challengeId, { method: 'webauthn', response: attacker.authenticator.assert(options, attacker.key) });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_code');
    expect(Number((await app.deps.db('webauthn_credentials').where({ id: attacker.key.id }).first()).last_used_at ?? 0)).toBe(0);
  });

  it('cloned key used at the same time: two sign-ins with one counter value, only one passes', async () => {
    // Attack: a copy of the key answers a second sign-in in parallel with the real one, with the same counter.
    const user = await k.userWithKey();
    const a = await ceremony(user);
    const b = await ceremony(user);
    const answers = await Promise.all([
      verify(a.challengeId, { method: 'webauthn', response: user.authenticator.assert(a.options, undefined, { signCount: 7 }) }),
      verify(b.challengeId, { method: 'webauthn', response: user.authenticator.assert(b.options, undefined, { signCount: 7 }) }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('fifty answers to one ceremony at once: exactly one signs in', async () => {
    // Attack: race copies of one answer past the single-use check.
    const user = await k.userWithKey();
    const { challengeId, options } = await ceremony(user);
    const response = user.authenticator.assert(options);
    const answers = await Promise.all(Array.from({ length: 50 }, () => verify(challengeId, { method: 'webauthn', response })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.every((r) => [200, 401, 410, 429].includes(r.status))).toBe(true);
  });
});

describe('brute force: keys share the attempt guard with codes', () => {
  it('5 wrong answers spend the challenge; then even the right one is 429', async () => {
    // Attack: keep trying forged assertions on one sign-in.
    const user = await k.userWithKey();
    const { challengeId } = await k.startChallenge(user);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const options = await k.assertionOptions(challengeId);
      statuses.push(
        (
          await verify(challengeId, {
            method: 'webauthn',
            response: user.authenticator.assert(options, undefined, { tamperSignature: true }),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const options = await k.assertionOptions(challengeId);
    const right = await verify(challengeId, { method: 'webauthn', response: user.authenticator.assert(options) });
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toBeTruthy();
  });

  it('10 wrong in a row across challenges, keys and codes mixed, lock the user out; the right key is then refused too', async () => {
    // Attack: spread guesses over new sign-ins and over methods to dodge the per-challenge cap.
    const user = await k.userWithTotp();
    const auth = new SoftAuthenticator(app.url);
    await k.addAcceptedKey(user.token, auth);
    const wrongKey = async (challengeId: string) =>
      verify(challengeId, {
        method: 'webauthn',
        response: auth.assert(await k.assertionOptions(challengeId), undefined, { tamperSignature: true }),
      });
    const wrongCode = (challengeId: string) =>
      verify(challengeId, { method: 'totp', code: generateTotp(user.secret, app.clock.now() + 10 * 60_000) });
    const statuses: number[] = [];
    const first = (await k.startChallenge(user)).challengeId;
    for (let i = 0; i < 4; i++) statuses.push((await (i % 2 ? wrongCode(first) : wrongKey(first))).status);
    const second = (await k.startChallenge(user)).challengeId;
    for (let i = 0; i < 4; i++) statuses.push((await (i % 2 ? wrongKey(second) : wrongCode(second))).status);
    const third = (await k.startChallenge(user)).challengeId;
    statuses.push((await wrongKey(third)).status);
    const tenth = await wrongKey(third);
    statuses.push(tenth.status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
    expect(tenth.body.error.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect((await k.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })).status).toBe(429);
    const locked = await app.deps.db('audit_events').where({ subject_user_id: user.id, type: 'login.locked_out' });
    expect(locked).toHaveLength(1);
    // After the lock, a sign-in started before it cannot pass with the right key either.
    const options = await k.assertionOptions(third);
    expect((await verify(third, { method: 'webauthn', response: auth.assert(options) })).status).toBe(429);
  });

  it('a challenge that does not offer keys: no ceremony, and a key answer counts as a wrong code', async () => {
    // Attack: use a method the challenge did not offer.
    const user = await k.userWithTotp();
    const outsider = await k.userWithKey();
    const { challengeId } = await k.startChallenge(user);
    const options = await k.call('POST', `/api/v1/auth/challenge/${challengeId}/webauthn-options`);
    expect(options.status).toBe(400);
    expect(options.body.error.code).toBe('invalid_request');
    const stray = outsider.authenticator.assert({ challenge: 'AAAA', allowCredentials: [{ id: outsider.key.id }] });
    const r = await verify(challengeId, { method: 'webauthn', response: stray });
    expect(r.status).toBe(401);
    expect(await streakOf(user.id)).toBe(1);
  });

  it('malformed or missing answers are 400 and change nothing', async () => {
    // Attack: odd shapes in place of a WebAuthn response.
    const user = await k.userWithKey();
    const { challengeId, options } = await ceremony(user);
    const good = user.authenticator.assert(options);
    for (const response of [
      null,
      'yes',
      [],
      {},
      { ...good, type: 'password' },
      { ...good, id: 'not base64url!' },
      { ...good, response: { ...good.response, signature: 42 } },
      { ...good, id: 'A'.repeat(2000) },
    ]) {
      const r = await verify(challengeId, { method: 'webauthn', response });
      expect(r.status, JSON.stringify(response).slice(0, 60)).toBe(400);
    }
    expect((await verify(challengeId, { method: 'webauthn' })).status).toBe(400);
    expect((await verify(challengeId, { method: 'webauthn', code: '123456' })).status).toBe(400);
    expect(await streakOf(user.id)).toBe(0);
    expect((await verify(challengeId, { method: 'webauthn', response: good })).status).toBe(200);
  });

  it('expired, used or guessed challenge ids get no ceremony; a ceremony older than 5 minutes is refused', async () => {
    // Attack: reuse or invent a challenge id; answer long after the ceremony began.
    const user = await k.userWithKey();
    expect((await k.call('POST', '/api/v1/auth/challenge/guessed-id/webauthn-options')).body.error.code).toBe('challenge_expired');
    const used = await k.signInWithKey(user, user.authenticator);
    expect((await k.call('POST', `/api/v1/auth/challenge/${used.challenge.challengeId}/webauthn-options`)).body.error.code).toBe(
      'challenge_expired',
    );
    const late = await ceremony(user);
    app.clock.advance(6 * 60_000);
    expect((await verify(late.challengeId, { method: 'webauthn', response: user.authenticator.assert(late.options) })).status).toBe(401);
    app.clock.advance(5 * 60_000);
    expect((await k.call('POST', `/api/v1/auth/challenge/${late.challengeId}/webauthn-options`)).body.error.code).toBe('challenge_expired');
  });

  it("the relying party comes from PUBLIC_URL, never from the request's Host or Origin", async () => {
    // Attack: a request naming the attacker's host, hoping the server scopes the ceremony to it.
    const user = await k.userWithKey();
    const { challengeId } = await k.startChallenge(user);
    const spoofed = await k.call('POST', `/api/v1/auth/challenge/${challengeId}/webauthn-options`, {
      headers: { host: 'evil.example', origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' },
    });
    expect(spoofed.body.options.rpId).toBe('localhost');
    const relayed = user.authenticator.assert(spoofed.body.options, undefined, { origin: 'https://evil.example', rpId: 'evil.example' });
    expect((await verify(challengeId, { method: 'webauthn', response: relayed })).status).toBe(401);
  });
});

describe('registration attacks', () => {
  it.each<[string, Bend]>([
    // Attack: a phishing page registers its own key through our ceremony.
    ['another origin', { origin: 'https://twofold.example-login.com' }],
    // Attack: a credential made for another relying party.
    ['another RP id', { rpId: 'example-login.com' }],
    // Attack: a sign-in's client data passed off as a registration.
    ['another ceremony type', { type: 'webauthn.get' }],
    // Attack: an answer to a challenge the server never issued.
    ['a challenge the server never issued', { challenge: 'bm90LWlzc3VlZC1ieS10aGUtc2VydmVy' }],
  ])('%s: 400, nothing saved', async (_name, bend) => {
    const user = await k.signup();
    const token = await k.login(user);
    const { answer } = await k.addKey(token, new SoftAuthenticator(app.url), 'Key', bend);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(await app.deps.db('webauthn_credentials').where({ user_id: user.id })).toHaveLength(0);
    expect((await k.call('GET', '/api/v1/me/2fa', { token })).body.enabled).toBe(false);
  });

  it('a registration answer is accepted once; a key already registered (to anyone) is 409', async () => {
    // Attack: replay a captured registration; claim another user's credential ID.
    const user = await k.signup();
    const token = await k.login(user);
    const auth = new SoftAuthenticator(app.url);
    const options = await k.registrationOptions(token);
    const { key, response } = auth.register(options);
    expect((await k.call('POST', '/api/v1/me/2fa/webauthn', { token, body: { name: 'Key', response } })).status).toBe(201);
    const replay = await k.call('POST', '/api/v1/me/2fa/webauthn', { token, body: { name: 'Key', response } });
    expect(replay.status).toBe(400);

    const other = await k.signup();
    const otherToken = await k.login(other);
    const again = auth.register(await k.registrationOptions(otherToken), {}, key);
    const taken = await k.call('POST', '/api/v1/me/2fa/webauthn', { token: otherToken, body: { name: 'Mine', response: again.response } });
    expect(taken.status).toBe(409);
    expect((await app.deps.db('webauthn_credentials').where({ id: key.id }).first()).user_id).toBe(user.id);
  });

  it('two first keys added at once: the method turns on once, with one set of backup codes', async () => {
    // Race: two sessions finish adding a first key together; neither may turn 2FA on a second time.
    const user = await k.signup();
    const [one, two] = [await k.login(user), await k.login(user)];
    const auth = new SoftAuthenticator(app.url);
    const bodies = [auth.register(await k.registrationOptions(one)).response, auth.register(await k.registrationOptions(two)).response];
    const answers = await Promise.all(
      [one, two].map((token, i) => k.call('POST', '/api/v1/me/2fa/webauthn', { token, body: { name: `Key ${i}`, response: bodies[i] } })),
    );
    // Whichever finishes first turns 2FA on, which ends the other session: the other either got past its session
    // check before that (201, a second key) or not (401). Never a second "first".
    const statuses = answers.map((r) => r.status).sort();
    expect([
      [201, 201],
      [201, 401],
    ]).toContainEqual(statuses);
    expect(answers.filter((r) => r.body.backupCodes)).toHaveLength(1);
    expect(await app.deps.db('audit_events').where({ subject_user_id: user.id, type: '2fa.enabled' })).toHaveLength(1);
    expect(await app.deps.db('webauthn_credentials').where({ user_id: user.id })).toHaveLength(statuses.filter((s) => s === 201).length);
  });

  it('the ceremony is bound to the session that started it', async () => {
    // Attack: a second session of the same user answers a ceremony it did not start.
    const user = await k.signup();
    const first = await k.login(user);
    const second = await k.login(user);
    const { response } = new SoftAuthenticator(app.url).register(await k.registrationOptions(first));
    expect((await k.call('POST', '/api/v1/me/2fa/webauthn', { token: second, body: { name: 'Key', response } })).status).toBe(400);
  });

  it('adding a key while 2FA is on needs a fresh proof; a setup_required challenge needs none', async () => {
    // Attack: a stolen, older session slips in the attacker's own key.
    const user = await k.userWithKey();
    app.clock.advance(11 * 60_000);
    expect((await k.call('POST', '/api/v1/me/2fa/webauthn/options', { token: user.token })).body.error.code).toBe('reauth_required');
    await k.reauthWithPassword(user.token);
    const options = await k.registrationOptions(user.token);
    app.clock.advance(11 * 60_000);
    const { response } = new SoftAuthenticator(app.url).register(options);
    const late = await k.call('POST', '/api/v1/me/2fa/webauthn', { token: user.token, body: { name: 'Attacker', response } });
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('reauth_required');
    expect(await app.deps.db('webauthn_credentials').where({ user_id: user.id })).toHaveLength(1);
  });

  it('a setup_required challenge id adds a key only while live, once, and only for methods the policy allows', async () => {
    // Attack: reuse the setup challenge after it signed the user in; use it where the policy forbids keys.
    const a = accountFactories(app);
    const owner = await a.ownerWithTotp();
    const member = await a.addMember(owner.token, owner.accountId, 'member');
    expect((await a.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['totp'] })).status).toBe(200);
    const login = await k.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } });
    expect(login.body.status).toBe('setup_required');
    const refused = await k.call('POST', '/api/v1/me/2fa/webauthn/options', { token: login.body.challengeId });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('method_not_allowed_by_policy');

    expect((await a.setPolicy(owner.token, owner.accountId, { allowedMethods: ['totp', 'webauthn'] })).status).toBe(200);
    const setup = await k.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } });
    const added = await k.addKey(setup.body.challengeId, new SoftAuthenticator(app.url));
    expect(added.answer.body.status).toBe('authenticated');
    expect((await k.call('POST', '/api/v1/me/2fa/webauthn/options', { token: setup.body.challengeId })).status).toBe(401);
  });
});
