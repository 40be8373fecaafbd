// The worker's side of browser.* (webextension-polyfill, so Chrome and Firefox run the same code): storage,
// messages, cookies, broadcasts, alarms. Each wrapper takes the namespace it uses: the background passes the
// polyfill's `browser` (browser-api-background.ts), the unit tests a fake one. No other module of the worker
// touches browser.*.
import type { Alarms, Browser, Cookies, Runtime, Storage, Tabs } from 'webextension-polyfill';
import type { KeyValueStore } from './browser-api.ts';
import type { Broadcast, Reply } from './messages.ts';

export type { KeyValueStore };

export function storageArea(area: Storage.StorageArea): KeyValueStore {
  return {
    async get<T>(key: string) {
      return (await area.get(key))[key] as T | undefined;
    },
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

function isBroadcast(message: unknown): message is Broadcast {
  return typeof message === 'object' && message !== null && typeof (message as { broadcast?: unknown }).broadcast === 'string';
}

export type MessageRouter = (message: unknown, sender: Runtime.MessageSender) => Promise<Reply<unknown>>;

/** The worker's one listener: every request goes to the router (its promise is the answer); broadcasts are not
 * requests and get no answer. */
export function serveMessages(runtime: Runtime.Static, router: MessageRouter): void {
  runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) =>
    isBroadcast(message) ? undefined : router(message, sender),
  );
}

export function extensionInfo(runtime: Runtime.Static): { runtimeId: string; extensionOrigin: string; hostPatterns: string[] } {
  const manifest = runtime.getManifest() as { host_permissions?: string[] };
  return {
    runtimeId: runtime.id,
    extensionOrigin: new URL(runtime.getURL('/')).origin,
    hostPatterns: (manifest.host_permissions ?? []).filter((p) => /^(https?|\*):\/\//.test(p)),
  };
}

// ---- cookies ----
/** A cookie the API sets: its name and path (the trusted-device cookie lives under /api/v1/auth only). */
export interface CookieSpec {
  name: string;
  path: string;
}

/** `storeId` names a cookie store: a Firefox container or private window, Chrome's incognito; none is the default. */
export interface CookieJar {
  get(server: string, cookie: CookieSpec, storeId?: string): Promise<string | null>;
  set(server: string, cookie: CookieSpec, value: string, expiresAtMs: number | null): Promise<void>;
  remove(server: string, cookie: CookieSpec, storeId?: string): Promise<void>;
}

/** The stores a browser uses when none is named: Chrome's "0", Firefox's "firefox-default". */
export function isDefaultStore(storeId: string | undefined): boolean {
  return storeId === undefined || storeId === '0' || storeId === 'firefox-default';
}

// Firefox with first-party isolation (privacy.firstparty.isolate) refuses cookie calls that name no
// `firstPartyDomain`; Chrome refuses the property altogether. So every call is tried plainly first, and again
// with the domain only when Firefox asks for it.
const needsFirstPartyDomain = (error: unknown) => /firstPartyDomain/.test(String((error as Error | undefined)?.message ?? error));

/** Under first-party isolation, the cookies a top-level page on `hostname` uses carry its base domain: the host
 * itself or a parent domain. */
function isSiteCookie(cookie: Cookies.Cookie, hostname: string): boolean {
  const domain = cookie.firstPartyDomain ?? '';
  return domain !== '' && (hostname === domain || hostname.endsWith(`.${domain}`));
}

/** The first-party domain to write under: the one the site's own cookies already carry, else a guess at the base
 * domain (the host for an IP address or a single label, else its last two labels; a server under a two-label
 * public suffix such as .co.uk needs the web app opened once, so a cookie of its own tells the right one). */
function guessFirstPartyDomain(hostname: string, known: Cookies.Cookie[]): string {
  const found = known.find((cookie) => isSiteCookie(cookie, hostname));
  if (found?.firstPartyDomain) return found.firstPartyDomain;
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || !hostname.includes('.')) return hostname;
  return hostname.split('.').slice(-2).join('.');
}

export function createCookieJar(cookies: Cookies.Static): CookieJar {
  const urlOf = (server: string, cookie: CookieSpec) => `${server}${cookie.path}`;
  const store = (storeId?: string) => (storeId === undefined ? {} : { storeId });
  const hostOf = (server: string) => new URL(server).hostname;

  async function isolatedCookies(server: string, cookie: CookieSpec, storeId?: string): Promise<Cookies.Cookie[]> {
    const all = await cookies.getAll({ url: urlOf(server, cookie), name: cookie.name, firstPartyDomain: null, ...store(storeId) });
    return all.filter((c) => c.path === cookie.path && isSiteCookie(c, hostOf(server)));
  }

  return {
    async get(server, cookie, storeId) {
      try {
        return (await cookies.get({ url: urlOf(server, cookie), name: cookie.name, ...store(storeId) }))?.value ?? null;
      } catch (error) {
        if (!needsFirstPartyDomain(error)) throw error;
        return (await isolatedCookies(server, cookie, storeId))[0]?.value ?? null;
      }
    },
    async set(server, cookie, value, expiresAtMs) {
      const details: Cookies.SetDetailsType = {
        url: urlOf(server, cookie),
        name: cookie.name,
        value,
        path: cookie.path,
        httpOnly: true,
        sameSite: 'lax',
        secure: server.startsWith('https:'),
        ...(expiresAtMs ? { expirationDate: Math.floor(expiresAtMs / 1000) } : {}),
      };
      try {
        await cookies.set(details);
      } catch (error) {
        if (!needsFirstPartyDomain(error)) throw error;
        const known = await cookies.getAll({ url: `${server}/`, firstPartyDomain: null });
        await cookies.set({ ...details, firstPartyDomain: guessFirstPartyDomain(hostOf(server), known) });
      }
    },
    async remove(server, cookie, storeId) {
      try {
        await cookies.remove({ url: urlOf(server, cookie), name: cookie.name, ...store(storeId) });
      } catch (error) {
        if (!needsFirstPartyDomain(error)) throw error;
        for (const found of await isolatedCookies(server, cookie, storeId)) {
          await cookies.remove({
            url: urlOf(server, cookie),
            name: cookie.name,
            firstPartyDomain: found.firstPartyDomain,
            ...store(storeId),
          });
        }
      }
    },
  };
}

export interface CookieChange {
  removed: boolean;
  cause: string;
  name: string;
  host: string;
  path: string;
  value: string;
  storeId?: string;
}

export function watchCookies(cookies: Cookies.Static, listener: (change: CookieChange) => void): void {
  cookies.onChanged.addListener(({ removed, cause, cookie }) => {
    listener({
      removed,
      cause,
      name: cookie.name,
      host: cookie.domain.replace(/^\./, ''),
      path: cookie.path,
      value: cookie.value,
      storeId: cookie.storeId,
    });
  });
}

// ---- broadcasts ----
/** Every cookie store's tabs: for news that is not about one store's session (the vault). */
export const ALL_STORES = '*';

export interface Broadcaster {
  /** Tells the Twofold tabs of one cookie store (the default store when none is named), or of ALL_STORES. */
  toPages(message: Broadcast, storeId?: string): Promise<void>;
  toExtension(message: Broadcast): Promise<void>;
}

export function createBroadcaster(browser: Pick<Browser, 'tabs' | 'runtime' | 'cookies'>, hostPatterns: string[]): Broadcaster {
  /** Firefox names each tab's store; Chrome tells it through the cookie stores' tab lists. */
  async function storeOf(tabs: Tabs.Tab[]): Promise<Map<number, string | undefined>> {
    const stores = tabs.some((tab) => tab.cookieStoreId === undefined) ? await browser.cookies.getAllCookieStores() : [];
    return new Map(tabs.map((tab) => [tab.id ?? -1, tab.cookieStoreId ?? stores.find((s) => s.tabIds.includes(tab.id ?? -1))?.id]));
  }
  return {
    async toPages(message, storeId) {
      // Host permissions let the worker find its own origins' tabs; no `tabs` permission needed.
      const tabs = hostPatterns.length ? await browser.tabs.query({ url: hostPatterns }) : [];
      const stores = storeId === ALL_STORES ? new Map<number, string | undefined>() : await storeOf(tabs);
      const inStore = (tab: Tabs.Tab) =>
        storeId === ALL_STORES || (isDefaultStore(storeId) ? isDefaultStore(stores.get(tab.id!)) : stores.get(tab.id!) === storeId);
      const wanted = tabs.filter((tab) => tab.id !== undefined && inStore(tab));
      await Promise.all(wanted.map((tab) => browser.tabs.sendMessage(tab.id!, message).catch(() => undefined)));
    },
    async toExtension(message) {
      await browser.runtime.sendMessage(message).catch(() => undefined); // nobody listening: the popup is closed
    },
  };
}

// ---- alarms, tabs and windows ----
export interface AlarmClock {
  /** One alarm per name: scheduling again moves it. */
  schedule(name: string, atMs: number): void;
  cancel(name: string): Promise<void>;
  onAlarm(listener: (name: string) => void): void;
}

export function createAlarmClock(alarms: Alarms.Static): AlarmClock {
  return {
    schedule: (name, atMs) => alarms.create(name, { when: atMs }),
    cancel: async (name) => void (await alarms.clear(name)),
    onAlarm: (listener) => alarms.onAlarm.addListener((alarm) => listener(alarm.name)),
  };
}

/** A new tab (no `tabs` permission needed to open one). */
export async function openTab(tabs: Tabs.Static, url: string): Promise<void> {
  await tabs.create({ url });
}

/** Shows where a person types the vault's passphrase: the toolbar popup when the browser allows opening it
 * (Chrome 127+, Firefox only from a click on its own pages), else the options page in a tab. */
export async function showUnlock(browser: Pick<Browser, 'action' | 'runtime'>): Promise<void> {
  try {
    await browser.action.openPopup();
  } catch {
    await browser.runtime.openOptionsPage();
  }
}
