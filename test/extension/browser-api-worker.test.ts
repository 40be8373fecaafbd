// The worker's wrappers over the polyfilled browser.* API, against fake namespaces that behave like Chrome's and
// Firefox's: cookies with first-party isolation and container stores, broadcasts per store, the message listener.
import { describe, expect, it } from 'vitest';
import type { Browser, Cookies, Runtime } from 'webextension-polyfill';
import { ALL_STORES, createBroadcaster, createCookieJar, serveMessages } from '../../extension/lib/browser-api-worker.ts';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../../extension/lib/session-sync.ts';

const SERVER = 'https://twofold.example.com';

interface StoredCookie extends Cookies.Cookie {
  url: string;
}

/** Firefox's cookies API: one jar per store; with first-party isolation, every call must name a firstPartyDomain
 * (getAll may pass null for "any"), and a cookie is found only under the one it was set with. */
function fakeFirefoxCookies(options: { isolated: boolean }) {
  const jar: StoredCookie[] = [];
  const refuse = (details: { firstPartyDomain?: string | null }) => {
    if (options.isolated && details.firstPartyDomain === undefined) {
      throw new Error("First-Party Isolation is enabled, but the required 'firstPartyDomain' attribute was not set.");
    }
  };
  const matches = (c: StoredCookie, d: { url: string; name?: string; storeId?: string; firstPartyDomain?: string | null }) => {
    const url = new URL(d.url);
    return (
      c.domain === url.hostname &&
      url.pathname.startsWith(c.path) &&
      (d.name === undefined || c.name === d.name) &&
      c.storeId === (d.storeId ?? 'firefox-default') &&
      (d.firstPartyDomain === null || c.firstPartyDomain === (d.firstPartyDomain ?? ''))
    );
  };
  const cookies = {
    async get(d: Cookies.GetDetailsType) {
      refuse(d);
      return jar.find((c) => matches(c, d)) ?? null;
    },
    async getAll(d: Cookies.GetAllDetailsType) {
      refuse(d);
      return jar.filter((c) => matches(c, d as never));
    },
    async set(d: Cookies.SetDetailsType) {
      refuse(d);
      const url = new URL(d.url);
      const cookie: StoredCookie = {
        url: d.url,
        name: d.name!,
        value: d.value!,
        domain: url.hostname,
        path: d.path ?? '/',
        hostOnly: true,
        secure: d.secure ?? false,
        httpOnly: d.httpOnly ?? false,
        sameSite: d.sameSite ?? 'no_restriction',
        session: !d.expirationDate,
        expirationDate: d.expirationDate,
        storeId: d.storeId ?? 'firefox-default',
        firstPartyDomain: d.firstPartyDomain ?? '',
      };
      const at = jar.findIndex(
        (c) =>
          c.name === cookie.name &&
          c.path === cookie.path &&
          c.domain === cookie.domain &&
          c.storeId === cookie.storeId &&
          c.firstPartyDomain === cookie.firstPartyDomain,
      );
      if (at >= 0) jar.splice(at, 1);
      jar.push(cookie);
      return cookie;
    },
    async remove(d: Cookies.RemoveDetailsType) {
      refuse(d);
      const at = jar.findIndex((c) => matches(c, d));
      if (at >= 0) jar.splice(at, 1);
      return null;
    },
  };
  return { jar, cookies: cookies as unknown as Cookies.Static };
}

describe('cookies through the polyfill', () => {
  it('Chrome and Firefox without isolation: plain calls, HttpOnly SameSite=Lax, Secure on https, the device cookie under /api/v1/auth', async () => {
    const { jar, cookies } = fakeFirefoxCookies({ isolated: false });
    const cookieJar = createCookieJar(cookies);
    await cookieJar.set(SERVER, SESSION_COOKIE, 'session-1', Date.UTC(2030, 0, 1));
    await cookieJar.set(SERVER, DEVICE_COOKIE, 'device-1', null);
    expect(
      jar.map(({ name, path, httpOnly, sameSite, secure, firstPartyDomain }) => ({
        name,
        path,
        httpOnly,
        sameSite,
        secure,
        firstPartyDomain,
      })),
    ).toEqual([
      { name: 'twofold_session', path: '/', httpOnly: true, sameSite: 'lax', secure: true, firstPartyDomain: '' },
      { name: 'twofold_device', path: '/api/v1/auth', httpOnly: true, sameSite: 'lax', secure: true, firstPartyDomain: '' },
    ]);
    expect(await cookieJar.get(SERVER, SESSION_COOKIE)).toBe('session-1');
    expect(await cookieJar.get(SERVER, DEVICE_COOKIE)).toBe('device-1');
    await cookieJar.remove(SERVER, SESSION_COOKIE);
    expect(await cookieJar.get(SERVER, SESSION_COOKIE)).toBeNull();
  });

  it("Firefox with first-party isolation: reads the web app's own cookie, writes under its first-party domain", async () => {
    const { jar, cookies } = fakeFirefoxCookies({ isolated: true });
    // The web app signed in as a top-level page: its cookie carries the site's base domain.
    await cookies.set({
      url: `${SERVER}/`,
      name: 'twofold_session',
      value: 'from-the-web-app',
      path: '/',
      firstPartyDomain: 'example.com',
    });
    // The same site framed by another site has a jar of its own, which is not the web app's.
    await cookies.set({
      url: `${SERVER}/`,
      name: 'twofold_session',
      value: 'framed-elsewhere',
      path: '/',
      firstPartyDomain: 'tracker.test',
    });
    const cookieJar = createCookieJar(cookies);
    expect(await cookieJar.get(SERVER, SESSION_COOKIE)).toBe('from-the-web-app');
    await cookieJar.set(SERVER, DEVICE_COOKIE, 'device-2', null);
    expect(jar.find((c) => c.name === 'twofold_device')).toMatchObject({
      value: 'device-2',
      firstPartyDomain: 'example.com',
      path: '/api/v1/auth',
    });
    expect(await cookieJar.get(SERVER, DEVICE_COOKIE)).toBe('device-2');
    await cookieJar.remove(SERVER, SESSION_COOKIE);
    expect(jar.filter((c) => c.name === 'twofold_session').map((c) => c.value)).toEqual(['framed-elsewhere']);
  });

  it('Firefox with first-party isolation and no cookie yet: the host itself for localhost and IP addresses', async () => {
    const { jar, cookies } = fakeFirefoxCookies({ isolated: true });
    const cookieJar = createCookieJar(cookies);
    await cookieJar.set('http://localhost:3000', SESSION_COOKIE, 'a', null);
    await cookieJar.set('http://127.0.0.1:3000', SESSION_COOKIE, 'b', null);
    await cookieJar.set('https://twofold.example.org', SESSION_COOKIE, 'c', null);
    expect(jar.map((c) => c.firstPartyDomain)).toEqual(['localhost', '127.0.0.1', 'example.org']);
    expect(await cookieJar.get('http://localhost:3000', SESSION_COOKIE)).toBe('a');
  });

  it("a Firefox container's session is read from its own store", async () => {
    const { cookies } = fakeFirefoxCookies({ isolated: false });
    await cookies.set({ url: `${SERVER}/`, name: 'twofold_session', value: 'work', path: '/', storeId: 'firefox-container-1' });
    const cookieJar = createCookieJar(cookies);
    expect(await cookieJar.get(SERVER, SESSION_COOKIE)).toBeNull();
    expect(await cookieJar.get(SERVER, SESSION_COOKIE, 'firefox-container-1')).toBe('work');
  });

  it('other errors are not mistaken for isolation', async () => {
    const cookies = {
      get: async () => {
        throw new Error('No host permissions for cookies at url');
      },
    } as unknown as Cookies.Static;
    await expect(createCookieJar(cookies).get(SERVER, SESSION_COOKIE)).rejects.toThrow(/host permissions/);
  });
});

describe('broadcasts and messages through the polyfill', () => {
  function fakeBrowser(tabs: Array<{ id: number; cookieStoreId?: string }>, stores: Array<{ id: string; tabIds: number[] }> = []) {
    const sent: Array<[number, unknown]> = [];
    const browser = {
      tabs: { query: async () => tabs, sendMessage: async (id: number, message: unknown) => void sent.push([id, message]) },
      runtime: {
        sendMessage: async () => {
          throw new Error('Could not establish connection. Receiving end does not exist.');
        },
      },
      cookies: { getAllCookieStores: async () => stores.map((s) => ({ ...s, incognito: false })) },
    } as unknown as Pick<Browser, 'tabs' | 'runtime' | 'cookies'>;
    return { browser, sent };
  }
  const message = { broadcast: 'session-changed', state: 'started' } as const;

  it('Firefox: a session change reaches only the tabs of its container', async () => {
    const { browser, sent } = fakeBrowser([
      { id: 1, cookieStoreId: 'firefox-default' },
      { id: 2, cookieStoreId: 'firefox-container-1' },
    ]);
    const broadcaster = createBroadcaster(browser, ['https://twofold.example.com/*']);
    await broadcaster.toPages(message, 'firefox-container-1');
    await broadcaster.toPages(message);
    await broadcaster.toPages(message, ALL_STORES);
    expect(sent.map(([id]) => id)).toEqual([2, 1, 1, 2]);
  });

  it("Chrome: the stores' tab lists tell an incognito tab apart; a closed popup is no error", async () => {
    const { browser, sent } = fakeBrowser(
      [{ id: 1 }, { id: 7 }],
      [
        { id: '0', tabIds: [1] },
        { id: '1', tabIds: [7] },
      ],
    );
    const broadcaster = createBroadcaster(browser, ['https://twofold.example.com/*']);
    await broadcaster.toPages(message, '0');
    await broadcaster.toPages(message, '1');
    await broadcaster.toExtension(message);
    expect(sent.map(([id]) => id)).toEqual([1, 7]);
  });

  it('the worker answers requests with a promise and leaves broadcasts unanswered', async () => {
    let listener: ((message: unknown, sender: Runtime.MessageSender) => unknown) | undefined;
    const runtime = {
      onMessage: {
        addListener: (fn: typeof listener) => {
          listener = fn;
        },
      },
    } as unknown as Runtime.Static;
    serveMessages(runtime, async (message) => ({ ok: true, value: message }));
    expect(listener!({ broadcast: 'view-changed' }, {})).toBeUndefined();
    await expect(listener!({ type: 'dialer:view', request: { fresh: true } }, {})).resolves.toEqual({
      ok: true,
      value: { type: 'dialer:view', request: { fresh: true } },
    });
  });
});
