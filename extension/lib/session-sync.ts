// One session for the web app and the dialer: the API's HttpOnly `twofold_session` cookie on the server's
// origin is the single source of truth. The worker reads it (the cookies API) and sends it as a bearer token,
// sets it after a dialer sign-in, removes it after a dialer logout or a 401, and watches it: any change is
// told to the popup and to every Twofold tab of that cookie store, whose content script fires SESSION_EVENT
// (`twofold:session-changed`). The trusted device is the API's HttpOnly `twofold_device` cookie, read and written
// the same way (never a copy the page's scripts could read). The names and paths: shared/contract.ts.
//
// The dialer uses the browser's default cookie store; a Twofold tab in a Firefox container (or a private window)
// has its own session there, told only to that store's tabs.
import type { SessionResponse } from '../../shared/schemas.ts';
import * as contract from '../../shared/contract.ts';
import {
  isDefaultStore,
  type Broadcaster,
  type CookieChange,
  type CookieJar,
  type CookieSpec,
  type KeyValueStore,
} from './browser-api-worker.ts';
import type { DialerView, PendingChallenge } from './messages.ts';
import { isTwofoldOrigin } from './origins.ts';
import { ApiCallError, type ApiClient } from './twofold-api.ts';

export const SESSION_COOKIE: CookieSpec = { name: contract.SESSION_COOKIE, path: contract.SESSION_COOKIE_PATH };
/** Set by the API when a challenge passes with "remember this browser"; sent only to the sign-in calls. */
export const DEVICE_COOKIE: CookieSpec = { name: contract.DEVICE_COOKIE, path: contract.DEVICE_COOKIE_PATH };
/** The API does not say how long a device stays trusted (the strictest account policy decides, 30 days by default),
 * so a cookie the dialer writes lives for that default: a shorter policy is enforced by the API anyway, and a longer
 * one only means an earlier challenge here. */
const DEVICE_COOKIE_DAYS = 30;
const CLOCK_SKEW_LIMIT_SECONDS = 30;

export interface StoredPending extends Omit<PendingChallenge, 'canFill'> {
  server: string;
  challengeId: string;
}
interface SessionCache {
  tokenTag: string;
  server: string;
  info: Pick<SessionResponse, 'user' | 'accounts'> & { twoFactorSetupDueBy?: string | null };
}

export interface SessionSyncDeps {
  cookies: CookieJar;
  local: KeyValueStore;
  memory: KeyValueStore; // storage.session: in memory, gone when the browser closes
  broadcaster: Broadcaster;
  api: ApiClient;
  hostPatterns: string[];
  /** The server the extension was built for (PUBLIC_URL at build time), until the person chooses another. */
  defaultServer: string;
  now(): number;
  hasAuthenticator(server: string, user: string): Promise<boolean>;
}

export type SessionSync = ReturnType<typeof createSessionSync>;

export async function tagOf(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`twofold-tag:${token}`));
  return btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, 12)));
}

export function createSessionSync(deps: SessionSyncDeps) {
  const { cookies, local, memory, broadcaster, api } = deps;

  async function server(): Promise<string> {
    return (await local.get<string>('server')) ?? deps.defaultServer;
  }

  async function token(): Promise<string | null> {
    const at = await server();
    return at ? cookies.get(at, SESSION_COOKIE) : null;
  }

  async function pending(): Promise<StoredPending | null> {
    const stored = await memory.get<StoredPending>('pending');
    if (!stored || stored.server !== (await server()) || Date.parse(stored.expiresAt) <= deps.now()) return null;
    return stored;
  }

  async function clockSkewSeconds(): Promise<number | null> {
    const skewMs = await local.get<number>('clockSkewMs');
    return typeof skewMs === 'number' ? Math.round(skewMs / 1000) : null;
  }

  /** What the popup shows. `fresh` asks the API; otherwise a cached answer for the same cookie is used. */
  async function view(fresh: boolean): Promise<DialerView> {
    const at = await server();
    const current = await token();
    let info: SessionCache['info'] | null = null;
    let unreachable = false;
    if (current) {
      const tag = await tagOf(current);
      const cache = await memory.get<SessionCache>('session');
      if (!fresh && cache?.tokenTag === tag && cache.server === at) info = cache.info;
      else {
        try {
          const answer = await api.request<SessionResponse>(at, 'GET', '/session', { token: current });
          info = { user: answer.user, accounts: answer.accounts, twoFactorSetupDueBy: answer.twoFactorSetupDueBy ?? null };
          await memory.set('session', { tokenTag: tag, server: at, info } satisfies SessionCache);
        } catch (error) {
          if (error instanceof ApiCallError && error.status === 401) await signOut();
          else if (cache?.tokenTag === tag) info = cache.info;
          // Not a dead end: the popup shows the sign-in form, with the server to check or change.
          else unreachable = true;
        }
      }
    }
    const stored = info ? null : await pending();
    const selected = info ? await local.get<string>(`account:${info.user.id}`) : undefined;
    const seen = await memory.get<string>('seen-server');
    const result: DialerView = {
      server: at,
      otherServer: seen && seen !== at ? seen : null,
      unreachable,
      signedIn: info && {
        user: info.user,
        accounts: info.accounts,
        selectedAccountId: info.accounts.find((a) => a.id === selected)?.id ?? info.accounts[0]?.id ?? null,
        setupDueBy: info.twoFactorSetupDueBy ?? null,
      },
      pending: stored && {
        email: stored.email,
        methods: stored.methods,
        preferredMethod: stored.preferredMethod,
        expiresAt: stored.expiresAt,
        canFill: await deps.hasAuthenticator(at, stored.email),
      },
      clockSkewSeconds: await clockSkewSeconds(),
    };
    return result;
  }

  async function setServer(origin: string): Promise<void> {
    if (origin === (await server())) return;
    await local.set('server', origin);
    await memory.remove('pending');
    await memory.remove('session');
  }

  async function signIn(sessionToken: string, expiresAt: string): Promise<void> {
    const at = await server();
    await memory.remove('pending');
    await cookies.set(at, SESSION_COOKIE, sessionToken, Date.parse(expiresAt) || null);
  }

  async function deviceToken(at: string): Promise<string | null> {
    return cookies.get(at, DEVICE_COOKIE);
  }

  async function rememberDevice(at: string, token: string): Promise<void> {
    await cookies.set(at, DEVICE_COOKIE, token, deps.now() + DEVICE_COOKIE_DAYS * 24 * 3600_000);
  }

  async function signOut(): Promise<void> {
    await memory.remove('session');
    const at = await server();
    if (at) await cookies.remove(at, SESSION_COOKIE);
  }

  let cookieQueue: Promise<void> = Promise.resolve();

  /** Tells the tabs of the store where the session changed; the dialer hears only of its own (default) store. */
  async function announce(state: contract.SessionEventDetail, storeId: string | undefined): Promise<void> {
    const ours = isDefaultStore(storeId);
    if (state === 'ended' && ours) await memory.remove('session');
    await Promise.all([
      broadcaster.toPages({ broadcast: 'session-changed', state }, storeId),
      ours ? broadcaster.toExtension({ broadcast: 'session-changed', state }) : undefined,
    ]);
  }

  return {
    server,
    token,
    pending,
    view,
    signIn,
    signOut,
    setServer,
    deviceToken,
    rememberDevice,
    async savePending(value: StoredPending): Promise<void> {
      await memory.set('pending', value);
    },
    async clearPending(): Promise<void> {
      await memory.remove('pending');
    },
    async selectAccount(userId: string, accountId: string): Promise<void> {
      await local.set(`account:${userId}`, accountId);
    },
    async recordSkew(skewMs: number): Promise<void> {
      await local.set('clockSkewMs', Math.abs(skewMs) < 1500 ? 0 : skewMs);
    },
    async isClockOff(): Promise<boolean> {
      const skew = await clockSkewSeconds();
      return skew !== null && Math.abs(skew) > CLOCK_SKEW_LIMIT_SECONDS;
    },
    clockSkewSeconds,
    /** The email of the user signed in at a Twofold origin (its session cookie in that tab's store), or null. */
    async userAt(origin: string, storeId?: string): Promise<string | null> {
      const pageToken = await cookies.get(origin, SESSION_COOKIE, storeId);
      if (!pageToken) return null;
      return (await api.request<SessionResponse>(origin, 'GET', '/session', { token: pageToken })).user.email;
    },
    /** A Twofold web app page was opened at `origin`. The dialer never changes its server by itself: if the
     * origin answers like a Twofold API and is not the dialer's server, the popup offers it. */
    async noticeServer(origin: string): Promise<void> {
      if (origin === (await server()) || origin === (await memory.get<string>('seen-server'))) return;
      const health = await api.request<{ status?: string } | null>(origin, 'GET', '/health');
      if (health?.status === 'ok') await memory.set('seen-server', origin);
    },
    /** cookies.onChanged: the web app signed in or out, the dialer did, or the cookie expired. Only a new
     * session or the end of one is announced: a cookie re-set with the same token (a refreshed expiry) is not,
     * so a page that re-checks its session on the event cannot start a loop. */
    handleCookieChange(change: CookieChange): Promise<void> {
      cookieQueue = cookieQueue.then(() => onCookieChange(change)).catch(() => undefined); // one at a time, in order
      return cookieQueue;
    },
  };

  async function onCookieChange(change: CookieChange): Promise<void> {
    if (
      change.name !== SESSION_COOKIE.name ||
      !isTwofoldOrigin(
        `http://${change.host}`,
        deps.hostPatterns.map((p) => p.replace(/^https?:|^\*:/, 'http:')),
      )
    )
      return;
    if (change.removed && change.cause === 'overwrite') return; // a new value follows at once
    const key = `cookie-tag:${isDefaultStore(change.storeId) ? 'default' : change.storeId}:${change.host}`;
    const tag = change.removed ? 'none' : await tagOf(change.value);
    if ((await memory.get<string>(key)) === tag) return;
    await memory.set(key, tag);
    // A session started elsewhere in the dialer's store (the web app passed the dialer's challenge, or a sign-in of
    // its own): the dialer's pending challenge is over.
    if (!change.removed && isDefaultStore(change.storeId)) await memory.remove('pending');
    await announce(change.removed ? 'ended' : 'started', change.storeId);
  }
}
