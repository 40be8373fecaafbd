// The shared session as the worker sees it: the cookie is the truth, changes are announced, a 401 ends it,
// the dialer's sign-in writes it; the trusted device is the API's cookie too; the server never changes by itself;
// and the Date header feeds the clock-skew warning.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Broadcast } from '../../extension/lib/messages.ts';
import type { Broadcaster, CookieJar, KeyValueStore } from '../../extension/lib/browser-api-worker.ts';
import { createSessionSync, DEVICE_COOKIE, SESSION_COOKIE } from '../../extension/lib/session-sync.ts';
import { createApiClient } from '../../extension/lib/twofold-api.ts';
import { createDialer } from '../../extension/lib/dialer.ts';
import { createVault, openVaultDb } from '../../extension/lib/vault.ts';

const SERVER = 'http://127.0.0.1:4000';
const BUILT_FOR = 'http://localhost:3000';
const HOSTS = ['http://127.0.0.1/*', 'http://localhost/*'];

function memoryStore(): KeyValueStore & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(k: string) => map.get(k) as T | undefined,
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
  };
}

interface Answer {
  status: number;
  body?: unknown;
  date?: string;
}
let n = 0;

function harness(answers: Record<string, Answer | ((init: RequestInit) => Answer)>) {
  const jar = new Map<string, { value: string; expiresAtMs: number | null }>();
  const at = (server: string, cookie: { name: string; path: string }, storeId = 'default') =>
    `${storeId}|${new URL(server).hostname}|${cookie.path}|${cookie.name}`;
  const cookies: CookieJar = {
    get: async (server, cookie, storeId) => jar.get(at(server, cookie, storeId))?.value ?? null,
    set: async (server, cookie, value, expiresAtMs) => void jar.set(at(server, cookie), { value, expiresAtMs }),
    remove: async (server, cookie, storeId) => void jar.delete(at(server, cookie, storeId)),
  };
  const told: Array<['pages' | 'extension', Broadcast, string?]> = [];
  const broadcaster: Broadcaster = {
    toPages: async (m, storeId) => void told.push(storeId === undefined ? ['pages', m] : ['pages', m, storeId]),
    toExtension: async (m) => void told.push(['extension', m]),
  };
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetchFake = (async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    const key = `${init.method} ${url.replace(`${SERVER}/api/v1`, '')}`;
    const found = answers[key];
    const answer =
      typeof found === 'function' ? found(init) : (found ?? { status: 404, body: { error: { code: 'not_found', message: 'Not found.' } } });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', date: answer.date ?? new Date().toUTCString() },
    });
  }) as unknown as typeof fetch;
  const local = memoryStore();
  const memory = memoryStore();
  const vault = createVault(openVaultDb(`sync-test-${++n}`), { session: memory, local });
  let sync: ReturnType<typeof createSessionSync>;
  const api = createApiClient({ fetch: fetchFake, now: () => Date.now(), recordSkew: (ms) => void sync.recordSkew(ms) });
  sync = createSessionSync({
    cookies,
    local,
    memory,
    broadcaster,
    api,
    hostPatterns: HOSTS,
    defaultServer: BUILT_FOR,
    now: () => Date.now(),
    hasAuthenticator: (s, u) => vault.has(s, u),
  });
  const opened: string[] = [];
  const dialer = createDialer({ api, sync, vault, now: () => Date.now(), openTab: async (url) => void opened.push(url) });
  return { jar, told, requests, local, memory, vault, sync, dialer, cookies, opened };
}

const session = {
  user: { id: 'u1', email: 'dana@example.com', name: 'Dana' },
  session: { expiresAt: '2030-01-01T00:00:00Z', clients: ['web'] },
  accounts: [{ id: 'a1', name: 'Team', role: 'owner' }],
  twoFactorSetupRequired: false,
};

describe('session sync', () => {
  it("the web app's session cookie signs the dialer in, sent as a bearer token without ambient cookies", async () => {
    const h = harness({ 'GET /session': { status: 200, body: session } });
    await h.sync.setServer(SERVER);
    expect((await h.sync.view(true)).signedIn).toBeNull();
    await h.cookies.set(SERVER, SESSION_COOKIE, 'web-token', null);
    const view = await h.sync.view(true);
    expect(view.signedIn).toMatchObject({ user: { email: 'dana@example.com' }, selectedAccountId: 'a1' });
    const sent = h.requests.at(-1)!.init;
    expect((sent.headers as Record<string, string>).Authorization).toBe('Bearer web-token');
    expect((sent.headers as Record<string, string>)['X-Twofold-Client']).toBe('dialer');
    expect(sent.credentials).toBe('omit');
    expect(JSON.stringify([...h.memory.map.values()])).not.toContain('web-token');
  });

  it('a session that ended on the server (401) is removed, so it ends in the web app too', async () => {
    const h = harness({ 'GET /session': { status: 401, body: { error: { code: 'unauthenticated', message: 'Please sign in.' } } } });
    await h.sync.setServer(SERVER);
    await h.cookies.set(SERVER, SESSION_COOKIE, 'stale', null);
    expect((await h.sync.view(true)).signedIn).toBeNull();
    expect(h.jar.size).toBe(0);
  });

  it('a server that does not answer is no dead end: the view is signed out and says so, and the cookie stays', async () => {
    const h = harness({ 'GET /session': { status: 502, body: 'bad gateway' } });
    await h.sync.setServer(SERVER);
    await h.cookies.set(SERVER, SESSION_COOKIE, 'maybe-valid', null);
    expect(await h.sync.view(true)).toMatchObject({ signedIn: null, unreachable: true });
    expect(h.jar.size).toBe(1);
  });

  it('cookie changes are announced to the Twofold tabs and the popup; overwrites and other cookies are not', async () => {
    const h = harness({});
    const change = (removed: boolean, cause: string, name: string, host: string, value = 'v1') =>
      h.sync.handleCookieChange({ removed, cause, name, host, path: '/', value });
    await change(true, 'overwrite', SESSION_COOKIE.name, '127.0.0.1');
    await change(true, 'explicit', 'other', '127.0.0.1');
    await change(true, 'explicit', SESSION_COOKIE.name, 'evil.example');
    expect(h.told).toEqual([]);
    await change(true, 'expired_overwrite', SESSION_COOKIE.name, '127.0.0.1');
    await change(false, 'explicit', SESSION_COOKIE.name, 'localhost');
    expect(h.told).toEqual([
      ['pages', { broadcast: 'session-changed', state: 'ended' }],
      ['extension', { broadcast: 'session-changed', state: 'ended' }],
      ['pages', { broadcast: 'session-changed', state: 'started' }],
      ['extension', { broadcast: 'session-changed', state: 'started' }],
    ]);
  });

  it('reload loop: a cookie re-set with the same token (a refreshed expiry) is not announced again', async () => {
    const h = harness({});
    const set = (value: string) =>
      Promise.all([
        h.sync.handleCookieChange({ removed: true, cause: 'overwrite', name: SESSION_COOKIE.name, host: '127.0.0.1', path: '/', value }),
        h.sync.handleCookieChange({ removed: false, cause: 'explicit', name: SESSION_COOKIE.name, host: '127.0.0.1', path: '/', value }),
      ]);
    await set('token-1');
    await set('token-1');
    await set('token-1');
    expect(h.told.filter(([to]) => to === 'pages')).toEqual([['pages', { broadcast: 'session-changed', state: 'started' }]]);
    await set('token-2');
    expect(h.told.filter(([to]) => to === 'pages')).toHaveLength(2);
  });

  it("a session in a Firefox container is told to that container's tabs only, never to the dialer", async () => {
    const h = harness({});
    await h.sync.handleCookieChange({
      removed: false,
      cause: 'explicit',
      name: SESSION_COOKIE.name,
      host: 'localhost',
      path: '/',
      value: 'c1',
      storeId: 'firefox-container-2',
    });
    await h.sync.handleCookieChange({
      removed: false,
      cause: 'explicit',
      name: SESSION_COOKIE.name,
      host: 'localhost',
      path: '/',
      value: 'd1',
      storeId: 'firefox-default',
    });
    expect(h.told).toEqual([
      ['pages', { broadcast: 'session-changed', state: 'started' }, 'firefox-container-2'],
      ['pages', { broadcast: 'session-changed', state: 'started' }, 'firefox-default'],
      ['extension', { broadcast: 'session-changed', state: 'started' }],
    ]);
  });

  it('a dialer sign-in through the challenge writes the shared session cookie and, remembered, the trusted-device cookie', async () => {
    const h = harness({
      'POST /auth/login': {
        status: 200,
        body: {
          status: 'challenge',
          challengeId: 'ch-secret-id',
          methods: ['totp', 'sms'],
          preferredMethod: 'totp',
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
        },
      },
      'POST /auth/challenge/ch-secret-id/verify': {
        status: 200,
        body: {
          status: 'authenticated',
          session: { token: 'dialer-token', expiresAt: '2030-01-01T00:00:00Z' },
          user: session.user,
          deviceToken: 'device-123',
        },
      },
      'GET /session': { status: 200, body: session },
    });
    await h.sync.setServer(SERVER);
    const outcome = await h.dialer.login('Dana@Example.com', 'pw');
    expect(outcome.status).toBe('challenge');
    if (outcome.status !== 'challenge') return;
    expect(outcome.view.pending).toMatchObject({ email: 'dana@example.com', methods: ['totp', 'sms'], canFill: false });
    expect(JSON.stringify(outcome.view)).not.toContain('ch-secret-id');
    const login = JSON.parse(String(h.requests[0]!.init.body));
    expect(login).toEqual({ email: 'Dana@Example.com', password: 'pw', client: 'dialer' });
    const view = await h.dialer.verify('totp', '123456', true);
    expect(view.signedIn?.user.email).toBe('dana@example.com');
    expect(h.jar.get(`default|127.0.0.1|/|twofold_session`)).toEqual({
      value: 'dialer-token',
      expiresAtMs: Date.parse('2030-01-01T00:00:00Z'),
    });
    const device = h.jar.get(`default|127.0.0.1|/api/v1/auth|twofold_device`);
    expect(device?.value).toBe('device-123');
    expect(device!.expiresAtMs! - Date.now()).toBeGreaterThan(29 * 24 * 3600_000);
    expect(await h.sync.pending()).toBeNull();
  });

  it('the trusted-device cookie (HttpOnly, set by the API or the dialer) is sent as deviceToken at login', async () => {
    const h = harness({
      'POST /auth/login': {
        status: 200,
        body: { status: 'authenticated', session: { token: 'by-device', expiresAt: '2030-01-01T00:00:00Z' }, user: session.user },
      },
      'GET /session': { status: 200, body: session },
    });
    await h.sync.setServer(SERVER);
    await h.cookies.set(SERVER, DEVICE_COOKIE, 'device-from-the-web-app', null);
    const outcome = await h.dialer.login('dana@example.com', 'pw');
    expect(outcome.status).toBe('authenticated');
    expect(JSON.parse(String(h.requests[0]!.init.body))).toEqual({
      email: 'dana@example.com',
      password: 'pw',
      deviceToken: 'device-from-the-web-app',
      client: 'dialer',
    });
    expect(h.requests[0]!.init.credentials).toBe('omit');
  });

  it('logout ends the session at the API and removes the cookie', async () => {
    const h = harness({ 'POST /auth/logout': { status: 204 }, 'GET /session': { status: 200, body: session } });
    await h.sync.setServer(SERVER);
    await h.cookies.set(SERVER, SESSION_COOKIE, 'tok', null);
    const view = await h.dialer.logout();
    expect(view.signedIn).toBeNull();
    expect(
      h.requests.some((r) => r.url.endsWith('/auth/logout') && (r.init.headers as Record<string, string>).Authorization === 'Bearer tok'),
    ).toBe(true);
    expect(h.jar.size).toBe(0);
  });

  it('the default server is the one the extension was built for (PUBLIC_URL), shown until the person picks another', async () => {
    const h = harness({});
    expect(await h.sync.server()).toBe(BUILT_FOR);
    expect((await h.sync.view(false)).server).toBe(BUILT_FOR);
    await h.sync.setServer(SERVER);
    expect((await h.sync.view(false)).server).toBe(SERVER);
  });

  it("server hijack: opening another Twofold site never changes the dialer's server; it is only offered", async () => {
    const h = harness({ 'GET /health': { status: 200, body: { status: 'ok' } } });
    await h.sync.noticeServer(SERVER);
    expect(await h.sync.server()).toBe(BUILT_FOR);
    expect(await h.sync.view(false)).toMatchObject({ server: BUILT_FOR, otherServer: SERVER });
    await h.sync.setServer(SERVER); // the person said so
    expect(await h.sync.view(false)).toMatchObject({ server: SERVER, otherServer: null });
  });

  it("clock skew: more than 30 s off the server's Date header is reported", async () => {
    const h = harness({ 'GET /health': { status: 200, body: { status: 'ok' }, date: new Date(Date.now() + 95_000).toUTCString() } });
    await h.sync.setServer('http://localhost:1');
    await h.sync.noticeServer(SERVER);
    const skew = (await h.sync.view(false)).clockSkewSeconds!;
    expect(skew).toBeGreaterThan(90);
    expect(skew).toBeLessThan(100);
    expect(await h.sync.isClockOff()).toBe(true);
  });

  it('calls: the number must be E.164 before anything is sent', async () => {
    const h = harness({});
    await h.sync.setServer(SERVER);
    await h.cookies.set(SERVER, SESSION_COOKIE, 'tok', null);
    await expect(h.dialer.placeCall('a1', '0412 345 678')).rejects.toThrow(/international format/);
    expect(h.requests).toEqual([]);
  });
});

describe('security key hand-off', () => {
  const keyChallenge = {
    status: 'challenge',
    challengeId: 'chal-0123456789abcdefghij',
    methods: ['webauthn', 'backup_code', 'recovery_code'],
    preferredMethod: 'webauthn',
    expiresAt: '2030-01-01T00:10:00Z',
  };

  it("opens the web app's challenge in a tab, the challenge id in the fragment only", async () => {
    const h = harness({ 'POST /auth/login': { status: 200, body: keyChallenge } });
    await h.sync.setServer(SERVER);
    const outcome = await h.dialer.login('Dana@Example.com', 'pw');
    expect(outcome.status).toBe('challenge');
    expect(outcome.status === 'challenge' && outcome.view.pending).toMatchObject({ preferredMethod: 'webauthn' });
    await h.dialer.continueInWeb();
    expect(h.opened).toHaveLength(1);
    const url = new URL(h.opened[0]!);
    expect(url.origin + url.pathname).toBe(`${SERVER}/`);
    expect(url.search).toBe('');
    const params = new URLSearchParams(url.hash.slice('#/continue-sign-in?'.length));
    expect(Object.fromEntries(params)).toEqual({
      challenge: keyChallenge.challengeId,
      email: 'dana@example.com',
      methods: 'webauthn,backup_code,recovery_code',
      preferred: 'webauthn',
      expires: keyChallenge.expiresAt,
    });
  });

  it('refuses when the challenge offers no security key, or there is none', async () => {
    const h = harness({ 'POST /auth/login': { status: 200, body: { ...keyChallenge, methods: ['totp'], preferredMethod: 'totp' } } });
    await h.sync.setServer(SERVER);
    await expect(h.dialer.continueInWeb()).rejects.toThrow(/expired/);
    await h.dialer.login('dana@example.com', 'pw');
    await expect(h.dialer.continueInWeb()).rejects.toThrow(/security keys/);
    expect(h.opened).toEqual([]);
  });

  it('once the tab passes the challenge, its session cookie signs the dialer in and ends the pending challenge', async () => {
    const h = harness({ 'POST /auth/login': { status: 200, body: keyChallenge }, 'GET /session': { status: 200, body: session } });
    await h.sync.setServer(SERVER);
    await h.dialer.login('dana@example.com', 'pw');
    await h.dialer.continueInWeb();
    await h.cookies.set(SERVER, SESSION_COOKIE, 'set-by-the-tab', null);
    await h.sync.handleCookieChange({
      removed: false,
      cause: 'explicit',
      name: SESSION_COOKIE.name,
      host: '127.0.0.1',
      path: '/',
      value: 'set-by-the-tab',
    });
    expect(h.told).toContainEqual(['extension', { broadcast: 'session-changed', state: 'started' }]);
    const view = await h.sync.view(true);
    expect(view.signedIn?.user.email).toBe('dana@example.com');
    expect(await h.sync.pending()).toBeNull();
  });
});
