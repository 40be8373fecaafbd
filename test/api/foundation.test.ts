// The foundation through HTTP on a real database: sign-up, login, sessions, invitations, bad input, headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD, uniqueEmail } from '../support/factories.ts';
import { allRoutes } from '../../api/app.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../api/records/sessions.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  app = await startTestApp();
  f = factories(app);
});
afterAll(() => app.close());

describe('sign-up', () => {
  it('creates a user who owns a new account, with a case-insensitive email', async () => {
    const email = uniqueEmail('Case').replace('case', 'CaSe');
    const r = await f.call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Ann', accountName: 'Acme' } });
    expect(r.status).toBe(201);
    expect(r.body.user.email).toBe(email.toLowerCase());
    expect(r.body.account.name).toBe('Acme');
    const token = await f.login({ email: email.toUpperCase() });
    const session = await f.call('GET', '/api/v1/session', { token });
    expect(session.body.accounts).toEqual([{ id: r.body.account.id, name: 'Acme', role: 'owner' }]);
    const again = await f.call('POST', '/api/v1/auth/signup', { body: { email: email.toUpperCase(), password: PASSWORD, name: 'Ann' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it.each([
    ['too short', 'a1!b2@c'],
    ['too long', 'x'.repeat(129)],
    ['common', 'password123'],
    ['guessable', 'qwertyuiop'],
    ['the email itself', 'weakling-user@example.com'],
  ])('refuses a password that is %s', async (_why, password) => {
    const email = 'weakling-user@example.com';
    const r = await f.call('POST', '/api/v1/auth/signup', { body: { email, password, name: 'W' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status).toBe(401); // nothing was written
  });

  it('accepts 128 characters and Unicode without truncating', async () => {
    const password = 'ünïcødé pässwörd 🐙 '.padEnd(128, 'z');
    const email = uniqueEmail();
    expect((await f.call('POST', '/api/v1/auth/signup', { body: { email, password, name: 'U' } })).status).toBe(201);
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email, password: password.slice(0, 127) } })).status).toBe(401);
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email, password } })).body.status).toBe('authenticated');
  });
});

describe('login and sessions', () => {
  it('unknown email and wrong password give the same answer', async () => {
    const user = await f.signup();
    const wrong = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'not the password at all' } });
    const unknown = await f.call('POST', '/api/v1/auth/login', {
      body: { email: uniqueEmail('nobody'), password: 'not the password at all' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('issues a 256-bit token, sets the HttpOnly cookie, and accepts either', async () => {
    const user = await f.signup();
    const r = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, client: 'dialer' } });
    expect(Buffer.from(r.body.session.token, 'base64url').length).toBe(32);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/twofold_session=/);
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).toContain('samesite=lax');
    const viaCookie = await f.call('GET', '/api/v1/session', { headers: { cookie: cookie.split(';')[0]! } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body.session.clients).toEqual(['dialer']);
    const stored = await app.deps.db('sessions').where({ user_id: user.id }).first();
    expect(stored.token_hash).not.toContain(r.body.session.token);
  });

  it('records each client that uses the one session', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    await f.call('GET', '/api/v1/session', { token, headers: { 'x-twofold-client': 'dialer' } });
    const r = await f.call('GET', '/api/v1/session', { token });
    expect(r.body.session.clients).toEqual(['web', 'dialer']);
  });

  it('logout ends the session for every client (cookie and bearer alike)', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    expect((await f.call('POST', '/api/v1/auth/logout', { token, headers: { 'x-twofold-client': 'dialer' } })).status).toBe(204);
    expect((await f.call('GET', '/api/v1/session', { token })).status).toBe(401);
    expect((await f.call('GET', '/api/v1/session', { headers: { cookie: `twofold_session=${token}` } })).status).toBe(401);
  });

  it('session expiry: idle after 30 minutes unused, refreshed by use, absolute after 12 hours', async () => {
    const user = await f.signup();
    const idle = await f.login(user);
    app.clock.advance(SESSION_IDLE_MS + 1000);
    expect((await f.call('GET', '/api/v1/session', { token: idle })).status).toBe(401);

    const busy = await f.login(user);
    for (let t = 0; t < SESSION_ABSOLUTE_MS - SESSION_IDLE_MS; t += SESSION_IDLE_MS - 60_000) {
      app.clock.advance(SESSION_IDLE_MS - 60_000);
      expect((await f.call('GET', '/api/v1/session', { token: busy })).status).toBe(200);
    }
    app.clock.advance(SESSION_IDLE_MS);
    expect((await f.call('GET', '/api/v1/session', { token: busy })).status).toBe(401);
  });
});

describe('every route refuses a missing or forged session', () => {
  const routes = () => allRoutes(app.deps).filter((r) => r.access !== 'public' && r.access !== 'optionalSession');
  it('has protected routes to check', () => expect(routes().length).toBeGreaterThan(20));
  it.each(['', 'Bearer forged-token-value', `Bearer ${'A'.repeat(43)}`, 'Basic dXNlcjpwYXNz'])(
    'Authorization %j → 401',
    async (authorization) => {
      for (const r of routes()) {
        const path = `/api/v1${r.path.replace(/:(\w+)/g, 'x')}`;
        const answer = await f.call(r.method.toUpperCase(), path, {
          headers: authorization ? { authorization } : {},
          body: r.method === 'get' ? undefined : {},
        });
        expect(answer.status, `${r.method} ${path}`).toBe(401);
        expect(answer.body.error.code).toBe('unauthenticated');
      }
    },
  );
});

describe('bad input gets a 400/413 in the contract shape and changes nothing', () => {
  const signup = (raw: string | Buffer, contentType = 'application/json') =>
    f.call('POST', '/api/v1/auth/signup', { raw, headers: { 'content-type': contentType } });

  it.each([
    ['malformed JSON', '{"email": '],
    ['an array', '[1,2]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['missing fields', '{}'],
    ['wrong types', JSON.stringify({ email: 42, password: ['x'], name: {} })],
    ['a bad email', JSON.stringify({ email: 'not-an-email', password: PASSWORD, name: 'X' })],
  ])('%s → 400 invalid_request', async (_what, raw) => {
    const before = await app.deps.db('users').count({ n: '*' }).first();
    const r = await signup(raw);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request', message: expect.any(String) });
    expect(await app.deps.db('users').count({ n: '*' }).first()).toEqual(before);
  });

  it('an unknown content type → 400', async () => {
    const r = await signup(`email=${uniqueEmail()}&password=x`, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
  });

  it('a body over 100 KB → 413, and the server carries on', async () => {
    const r = await signup(JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(101 * 1024) }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
    expect((await f.call('GET', '/api/v1/health')).body).toEqual({ status: 'ok' });
  });

  it('ignores unknown fields', async () => {
    const r = await f.call('POST', '/api/v1/auth/signup', {
      body: { email: uniqueEmail(), password: PASSWORD, name: 'X', isAdmin: true, role: 'owner' },
    });
    expect(r.status).toBe(201);
  });

  it('unknown API paths are 404 in the contract shape', async () => {
    const r = await f.call('GET', '/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});

describe('routing (one router per first path segment, api/http/routers-by-segment.ts)', () => {
  it('reaches every public route: none answers the 404 of a path no route holds', async () => {
    const open = allRoutes(app.deps).filter((r) => r.access === 'public' || r.access === 'optionalSession');
    expect(open.length).toBeGreaterThan(5);
    for (const r of open) {
      const path = `/api/v1${r.path.replace(/:(\w+)/g, 'x')}`;
      const answer = await f.call(r.method.toUpperCase(), path, { body: r.method === 'get' ? undefined : {} });
      expect(answer.status, `${r.method} ${path}`).not.toBe(404);
    }
  });

  it("matches the contract's lowercase paths, with or without a trailing slash; another case is not the API", async () => {
    const token = await f.login(await f.signup());
    for (const path of ['/api/v1/session', '/api/v1/session/']) {
      const r = await f.call('GET', path, { token });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control'), path).toBe('no-store');
    }
    // Matched case-insensitively, `/API/V1/Session` answered the session with a page's headers: no `no-store`.
    const upper = await f.call('GET', '/API/V1/Session', { token });
    expect(upper.body?.user).toBeUndefined();
    const mixed = await f.call('GET', '/api/v1/Session', { token });
    expect(mixed.status).toBe(404);
    expect(mixed.body.error.code).toBe('not_found');
  });

  it.each([
    ['POST', '/api/v1/session', 'HEAD, GET'],
    ['PATCH', '/api/v1/auth/login', 'POST'],
    ['PROPFIND', '/api/v1/session', 'HEAD, GET'],
  ])('%s %s → 405 in the contract shape, with Allow: %s', async (method, path, allow) => {
    const r = await f.call(method, path);
    expect(r.status).toBe(405);
    expect(r.body.error.code).toBe('method_not_allowed');
    expect(r.headers.get('allow')).toBe(allow);
  });

  it('answers OPTIONS with the methods of the path', async () => {
    const r = await f.call('OPTIONS', '/api/v1/auth/login');
    expect(r.status).toBe(200);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it.each(['/api/v1/auth/nothing-here', '/api/v1', '/api/v1/', '/api/v1//session', '/api/v2/session'])(
    '%s → 404 not_found',
    async (path) => {
      const r = await f.call('GET', path);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    },
  );
});

describe('headers and the API reference', () => {
  it('sends no-sniff, frame-deny and a CSP that allows nothing on API answers, uncached', async () => {
    for (const r of [await f.call('GET', '/api/v1/health'), await f.call('GET', '/api/v1/session')]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
    }
  });

  it("sends the web app's pages a strict CSP, no referrer and their own browsing context group", async () => {
    const r = await f.call('GET', '/sign-in');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('serves an OpenAPI document generated from the route declarations', async () => {
    const r = await f.call('GET', '/api/v1/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    expect(r.body.info.description).toMatch(/any of their accounts requires/);
    for (const route of allRoutes(app.deps)) {
      const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
      expect(r.body.paths[path]?.[route.method], path).toBeDefined();
    }
    expect(r.body.paths['/api/v1/auth/signup'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['email', 'password', 'name']),
    );
  });
});

// Invitations: test/api/invitations.test.ts and test/security/consent.test.ts.

describe('a session that ended says why', () => {
  // A tab left open learns why it was signed out instead of dropping to sign-in with no word (a reset: admin.test.ts).
  it('logout, turning 2FA on elsewhere, ending it from the list, and expiry each answer 401 with their reason', async () => {
    const reasonOf = async (token: string) => {
      const r = await f.call('GET', '/api/v1/session', { token });
      expect(r.status).toBe(401);
      return r.body.error.reason;
    };
    const user = await f.signup();
    const loggedOut = await f.login(user);
    await f.call('POST', '/api/v1/auth/logout', { token: loggedOut });
    expect(await reasonOf(loggedOut)).toBe('signed_out');

    const listed = await f.login(user);
    const current = await f.login(user);
    const sessions = await f.call('GET', '/api/v1/me/sessions', { token: current });
    expect(sessions.body).toHaveLength(2); // an ended session is no longer listed
    const other = sessions.body.find((s: any) => !s.current);
    expect((await f.call('DELETE', `/api/v1/me/sessions/${other.id}`, { token: current })).status).toBe(204);
    expect(await reasonOf(listed)).toBe('ended');

    const elsewhere = await f.login(user);
    await f.enrolTotp(current);
    expect(await reasonOf(elsewhere)).toBe('2fa_enabled');

    app.clock.advance(12 * 3600_000 + 1000);
    expect(await reasonOf(current)).toBe('expired');
    const unknown = await f.call('GET', '/api/v1/session', { token: 'A'.repeat(43) });
    expect(unknown.body.error.reason).toBeUndefined();
  });
});
