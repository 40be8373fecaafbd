// The background (Chrome's service worker, Firefox's event page): wires the modules together and registers
// listeners. No logic of its own, and the only place that hands the polyfill's `browser` to the wrappers.
import { browser } from '../lib/browser-api-background.ts';
import {
  ALL_STORES,
  createAlarmClock,
  createBroadcaster,
  createCookieJar,
  extensionInfo,
  openTab,
  serveMessages,
  showUnlock,
  storageArea,
  watchCookies,
} from '../lib/browser-api-worker.ts';
import { createDialer } from '../lib/dialer.ts';
import { createHandlers, describeError } from '../lib/handlers.ts';
import { createRouter } from '../lib/router.ts';
import { createSessionSync } from '../lib/session-sync.ts';
import { createApiClient } from '../lib/twofold-api.ts';
import { createVault, openVaultDb } from '../lib/vault.ts';
import { LOCK_ALARM } from '../lib/vault-key.ts';

const { runtimeId, extensionOrigin, hostPatterns } = extensionInfo(browser.runtime);
const now = () => Date.now();
const local = storageArea(browser.storage.local);
const memory = storageArea(browser.storage.session);
const alarms = createAlarmClock(browser.alarms);
const broadcaster = createBroadcaster(browser, hostPatterns);
const vault = createVault(openVaultDb(), { session: memory, local, alarms });
let sync: ReturnType<typeof createSessionSync>;
const api = createApiClient({ fetch: (...args) => fetch(...args), now, recordSkew: (skewMs) => void sync.recordSkew(skewMs) });
sync = createSessionSync({
  cookies: createCookieJar(browser.cookies),
  local,
  memory,
  api,
  hostPatterns,
  now,
  broadcaster,
  defaultServer: __TWOFOLD_SERVER__,
  hasAuthenticator: (server, user) => vault.has(server, user),
});
const dialer = createDialer({ api, sync, vault, now, openTab: (url) => openTab(browser.tabs, url) });
const log = (event: string, detail: Record<string, string | number | boolean>) => console.warn(`[twofold] ${event}`, detail);

const handlers = createHandlers({
  vault,
  dialer,
  sync,
  local,
  hostPatterns,
  now,
  userAt: (origin, storeId) => sync.userAt(origin, storeId),
  noticeServer: (origin) => sync.noticeServer(origin),
  async announceVault(kept) {
    const message = { broadcast: 'vault-changed', kept } as const;
    await Promise.all([broadcaster.toPages(message, ALL_STORES), broadcaster.toExtension(message)]);
  },
  show: (what) => (what === 'unlock' ? showUnlock(browser) : browser.runtime.openOptionsPage()),
});

serveMessages(browser.runtime, createRouter({ handlers, runtimeId, extensionOrigin, hostPatterns, log, describeError }));
watchCookies(browser.cookies, (change) => void sync.handleCookieChange(change));
alarms.onAlarm((name) => {
  if (name === LOCK_ALARM) void vault.lockIfIdle(now());
});
