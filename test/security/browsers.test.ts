// Browsers: cookie-authenticated writes from another origin (CSRF), HSTS on https answers, and proxy headers
// (X-Forwarded-Proto read like X-Forwarded-For: the last entry, the one our proxy appended).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';

describe('cross-site request forgery', () => {
  let app: TestApp;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    app = await startTestApp();
    f = factories(app);
  });
  afterAll(() => app.close());

  /** A user with TOTP, freshly signed in (inside the reauth window), and the session cookie a browser would hold. */
  async function signedInBrowser() {
    const user = await f.userWithTotp();
    const session = await f.signInWithTotp(user);
    return { user, cookie: `twofold_session=${session.session.token}` };
  }
  const sibling = () => app.url.replace(/:(\d+)$/, (_m, port) => `:${Number(port) + 1}`);
  const backupHashes = (userId: string) => app.deps.db('backup_codes').where({ user_id: userId }).orderBy('id').pluck('code_hash');

  it('CSRF from a sibling origin: an empty text/plain form POST with the session cookie is refused and changes nothing', async () => {
    // Attack: a page on another port of the same host submits a form to POST /me/2fa/backup-codes; the browser adds
    // the SameSite=Lax cookie (same site), the body is empty so no JSON check applies.
    const { user, cookie } = await signedInBrowser();
    const before = await backupHashes(user.id);
    const forged = await f.call('POST', '/api/v1/me/2fa/backup-codes', {
      raw: '',
      headers: { cookie, origin: sibling(), 'content-type': 'text/plain', 'sec-fetch-site': 'same-site' },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('forbidden');
    expect(await backupHashes(user.id)).toEqual(before);
    // The same request from the web app's own origin works: the refusal is about the origin, not the cookie.
    const own = await f.call('POST', '/api/v1/me/2fa/backup-codes', { raw: '', headers: { cookie, origin: app.url } });
    expect(own.status).toBe(200);
    expect(await backupHashes(user.id)).not.toEqual(before);
  });

  it('CSRF without an Origin: a cookie-authenticated write needs our Origin or Sec-Fetch-Site same-origin', async () => {
    // Attack: strip or blank the Origin (a sandboxed frame sends "null"; old browsers, redirects) and hope the check passes.
    const { user, cookie } = await signedInBrowser();
    const preferred = (headers: Record<string, string>) =>
      f.call('PUT', '/api/v1/me/2fa/preferred', { body: { method: 'totp' }, headers: { cookie, ...headers } });
    expect((await preferred({})).status).toBe(403);
    expect((await preferred({ origin: 'null' })).status).toBe(403);
    expect((await preferred({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await preferred({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status).toBe(403);
    expect((await preferred({ origin: `${app.url}.evil.example` })).status).toBe(403);
    expect((await preferred({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await preferred({ origin: app.url })).status).toBe(200);
    expect(user.id).toBeTruthy();
  });

  it.each([
    ['POST', '/api/v1/auth/logout'],
    ['DELETE', '/api/v1/me/devices'],
    ['POST', '/api/v1/me/2fa/totp'],
    ['DELETE', '/api/v1/me/2fa/totp'],
  ])('CSRF on %s %s from another origin is refused before anything runs', async (method, path) => {
    // Attack: forced logout, forgetting devices, starting a new seed, removing a method: each from a foreign page.
    const { user, cookie } = await signedInBrowser();
    const r = await f.call(method, path, { raw: '', headers: { cookie, origin: 'https://evil.example', 'content-type': 'text/plain' } });
    expect(r.status).toBe(403);
    expect((await f.call('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(200);
    expect((await app.deps.db('factors').where({ user_id: user.id, method: 'totp' }).first()).pending_secret_sealed).toBeNull();
  });

  it('bearer-token calls are not affected (the dialer sends the session as a bearer, from its extension origin)', async () => {
    const { cookie } = await signedInBrowser();
    const token = cookie.split('=')[1]!;
    const r = await f.call('PUT', '/api/v1/me/2fa/preferred', {
      token,
      body: { method: 'totp' },
      headers: { origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' },
    });
    expect(r.status).toBe(200);
  });

  it('CSRF with a form body: a non-JSON body is refused even without a cookie', async () => {
    // Attack: a cross-site form posts credentials as text/plain or urlencoded (login CSRF).
    const user = await f.signup();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await f.call('POST', '/api/v1/auth/login', {
        raw: JSON.stringify({ email: user.email, password: PASSWORD }),
        headers: { 'content-type': type, origin: 'https://evil.example' },
      });
      expect(r.status, type).toBe(400);
      expect(r.headers.get('set-cookie'), type).toBeNull();
    }
  });
});

describe('transport: HSTS and proxy headers', () => {
  let plain: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    plain = await startTestApp();
    proxied = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await plain.close();
    await proxied.close();
  });

  const health = (app: TestApp, proto?: string) =>
    factories(app).call('GET', '/api/v1/health', { headers: proto ? { 'x-forwarded-proto': proto } : {} });

  it('TLS stripping: an https answer carries Strict-Transport-Security; a plain http one does not', async () => {
    // Attack: a network attacker downgrades a later visit to http; HSTS makes the browser refuse.
    expect((await health(proxied, 'https')).headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect((await health(proxied, 'http')).headers.get('strict-transport-security')).toBeNull();
    expect((await health(plain)).headers.get('strict-transport-security')).toBeNull();
  });

  it("forged X-Forwarded-Proto: the entry our proxy appended (the last) decides, not the client's first", async () => {
    // Attack: prepend "https" so the API believes an http request is secure (or "http" to strip Secure and HSTS).
    expect((await health(proxied, 'https, http')).headers.get('strict-transport-security')).toBeNull();
    expect((await health(proxied, 'http, https')).headers.get('strict-transport-security')).toBe('max-age=31536000');
    const f = factories(proxied);
    const user = await f.signup();
    const login = (proto: string) =>
      f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD }, headers: { 'x-forwarded-proto': proto } });
    expect((await login('http, https')).headers.get('set-cookie')).toMatch(/;\s*secure/i);
    expect((await login('https, http')).headers.get('set-cookie')).not.toMatch(/;\s*secure/i);
  });

  it('X-Forwarded-Proto without TRUST_PROXY is ignored', async () => {
    // Attack: claim https to a server that is not behind a proxy.
    expect((await health(plain, 'https')).headers.get('strict-transport-security')).toBeNull();
  });
});
