// The pages' side of browser.* (webextension-polyfill, so Chrome and Firefox run the same code): the popup, the
// options page and the content script go through it, never browser.* or chrome.* directly. The worker has its
// own, browser-api-worker.ts, so the popup's bundle shares no chunk with the worker.
import browser from 'webextension-polyfill';
import type { Broadcast, Envelope, MessageError, MessageType, Reply, RequestOf, ResponseOf } from './messages.ts';

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

export function storageArea(name: 'local' | 'session'): KeyValueStore {
  const area = browser.storage[name];
  return {
    async get<T>(key: string) {
      return (await area.get(key))[key] as T | undefined;
    },
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

export class MessageFailure extends Error {
  constructor(readonly error: MessageError) {
    super(error.message);
  }
}

/** Asks the worker; resolves with its answer or throws MessageFailure. */
export async function send<K extends MessageType>(type: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  const envelope: Envelope<K> = { type, request };
  let reply: Reply<ResponseOf<K>> | undefined;
  try {
    reply = (await browser.runtime.sendMessage(envelope)) as Reply<ResponseOf<K>> | undefined;
  } catch {
    throw new MessageFailure({ reason: 'failed', message: 'The extension is restarting. Please try again.' });
  }
  if (!reply) throw new MessageFailure({ reason: 'failed', message: 'The extension did not answer. Please try again.' });
  if (!reply.ok) throw new MessageFailure(reply.error);
  return reply.value;
}

export function isBroadcast(message: unknown): message is Broadcast {
  return typeof message === 'object' && message !== null && typeof (message as { broadcast?: unknown }).broadcast === 'string';
}

/** Hears what the worker tells every part unasked. */
export function onBroadcast(listener: (message: Broadcast) => void): () => void {
  // Returns nothing, so a request from another page (the popup asking the worker) is left to the worker.
  const handle = (message: unknown): undefined => {
    if (isBroadcast(message)) listener(message);
  };
  browser.runtime.onMessage.addListener(handle);
  return () => browser.runtime.onMessage.removeListener(handle);
}

export function openOptionsPage(): Promise<void> {
  return browser.runtime.openOptionsPage();
}

/** The match pattern of an origin's host (patterns name no port). */
const hostPattern = (origin: string) => {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
};

/** Whether the browser lets the extension reach `origin`: Firefox lets people withhold host permissions. */
export function hasHostAccess(origin: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [hostPattern(origin)] });
}

/** Asks the person to allow `origin` (only from a click: browsers ask only then). */
export function requestHostAccess(origin: string): Promise<boolean> {
  return browser.permissions.request({ origins: [hostPattern(origin)] });
}
