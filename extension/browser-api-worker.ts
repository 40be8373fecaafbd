// The worker's side of chrome.* (MV3 APIs return promises): storage, messages, cookies and broadcasts.
// The only module of the worker that calls chrome.*.
import type { KeyValueStore } from './browser-api.ts';
import type { Broadcast, Reply } from './messages.ts';

export type { KeyValueStore };

export function storageArea(name: 'local' | 'session'): KeyValueStore {
  const area = chrome.storage[name];
  return {
    async get<T>(key: string) { return (await area.get(key))[key] as T | undefined; },
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

function isBroadcast(message: unknown): message is Broadcast {
  return typeof message === 'object' && message !== null && typeof (message as { broadcast?: unknown }).broadcast === 'string';
}

export type MessageRouter = (message: unknown, sender: chrome.runtime.MessageSender) => Promise<Reply<unknown>>;

/** The worker's one listener: every request goes to the router; broadcasts are not requests. */
export function serveMessages(router: MessageRouter): void {
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (isBroadcast(message)) return false;
    void router(message, sender).then(sendResponse);
    return true;
  });
}

export function extensionInfo(): { runtimeId: string; extensionOrigin: string; hostPatterns: string[] } {
  const manifest = chrome.runtime.getManifest();
  return {
    runtimeId: chrome.runtime.id,
    extensionOrigin: new URL(chrome.runtime.getURL('/')).origin,
    hostPatterns: (manifest.host_permissions ?? []).filter((p: string) => !p.startsWith('chrome')),
  };
}

// ---- the worker's side: cookies and broadcasts ----
export interface CookieJar {
  get(server: string, name: string): Promise<string | null>;
  set(server: string, name: string, value: string, expiresAtMs: number | null): Promise<void>;
  remove(server: string, name: string): Promise<void>;
}

export const cookieJar: CookieJar = {
  async get(server, name) {
    return (await chrome.cookies.get({ url: `${server}/`, name }))?.value ?? null;
  },
  async set(server, name, value, expiresAtMs) {
    await chrome.cookies.set({
      url: `${server}/`, name, value, path: '/', httpOnly: true, sameSite: 'lax', secure: server.startsWith('https:'),
      ...(expiresAtMs ? { expirationDate: Math.floor(expiresAtMs / 1000) } : {}),
    });
  },
  async remove(server, name) {
    await chrome.cookies.remove({ url: `${server}/`, name });
  },
};

/** A new tab (no `tabs` permission needed to open one). */
export async function openTab(url: string): Promise<void> {
  await chrome.tabs.create({ url });
}

export interface CookieChange { removed: boolean; cause: string; name: string; host: string; value: string }

export function watchCookies(listener: (change: CookieChange) => void): void {
  chrome.cookies.onChanged.addListener(({ removed, cause, cookie }) => {
    listener({ removed, cause, name: cookie.name, host: cookie.domain.replace(/^\./, ''), value: cookie.value });
  });
}

export interface Broadcaster {
  toPages(message: Broadcast): Promise<void>;
  toExtension(message: Broadcast): Promise<void>;
}

export function createBroadcaster(hostPatterns: string[]): Broadcaster {
  return {
    async toPages(message) {
      // Host permissions let the worker find its own origins' tabs; no `tabs` permission needed.
      const tabs = hostPatterns.length ? await chrome.tabs.query({ url: hostPatterns }) : [];
      await Promise.all(tabs.map((tab) => tab.id === undefined ? undefined : chrome.tabs.sendMessage(tab.id, message).catch(() => undefined)));
    },
    async toExtension(message) {
      await chrome.runtime.sendMessage(message).catch(() => undefined); // nobody listening: the popup is closed
    },
  };
}
