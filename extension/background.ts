// The service worker: wires the modules together and registers listeners. No logic of its own.
import { cookieJar, createBroadcaster, extensionInfo, openTab, serveMessages, storageArea, watchCookies } from './browser-api-worker.ts';
import { createDialer } from './dialer.ts';
import { createHandlers, describeError } from './handlers.ts';
import { createRouter } from './router.ts';
import { createSessionSync } from './session-sync.ts';
import { createApiClient } from './twofold-api.ts';
import { createVault, openVaultDb } from './vault.ts';

const { runtimeId, extensionOrigin, hostPatterns } = extensionInfo();
const now = () => Date.now();
const local = storageArea('local');
const memory = storageArea('session');
const vault = createVault(openVaultDb());
let sync: ReturnType<typeof createSessionSync>;
const api = createApiClient({ fetch: (...args) => fetch(...args), now, recordSkew: (skewMs) => void sync.recordSkew(skewMs) });
sync = createSessionSync({
  cookies: cookieJar, local, memory, api, hostPatterns, now,
  broadcaster: createBroadcaster(hostPatterns),
  hasAuthenticator: (server, user) => vault.has(server, user),
});
const dialer = createDialer({ api, sync, vault, now, openTab });
const log = (event: string, detail: Record<string, string | number | boolean>) => console.warn(`[twofold] ${event}`, detail);

const handlers = createHandlers({
  vault, dialer, sync, local, hostPatterns, now,
  userAt: (origin) => sync.userAt(origin),
  learnServer: (origin) => sync.learnServer(origin),
});

serveMessages(createRouter({ handlers, runtimeId, extensionOrigin, hostPatterns, log, describeError }));
watchCookies((change) => void sync.handleCookieChange(change));
