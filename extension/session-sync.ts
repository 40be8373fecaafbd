// One session for the web app and the dialer: the API's HttpOnly `twofold_session` cookie on the server's
// origin is the single source of truth. The worker reads it (chrome.cookies) and sends it as a bearer token,
// sets it after a dialer sign-in, removes it after a dialer logout or a 401, and watches it: any change is
// told to the popup and to every Twofold tab, whose content script fires `twofold:session-changed`.
import type { SessionResponse } from '../shared/schemas.ts';
import type { Broadcaster, CookieChange, CookieJar, KeyValueStore } from './browser-api-worker.ts';
import type { DialerView, PendingChallenge } from './messages.ts';
import { defaultServer, isTwofoldOrigin } from './origins.ts';
import { ApiCallError, type ApiClient } from './twofold-api.ts';

export const SESSION_COOKIE = 'twofold_session';
const CLOCK_SKEW_LIMIT_SECONDS = 30;

export interface StoredPending extends Omit<PendingChallenge, 'canFill'> { server: string; challengeId: string }
interface SessionCache { tokenTag: string; server: string; info: Pick<SessionResponse, 'user' | 'accounts'> & { twoFactorSetupDueBy?: string | null } }

export interface SessionSyncDeps {
  cookies: CookieJar;
  local: KeyValueStore;
  memory: KeyValueStore; // storage.session: in memory, gone when the browser closes
  broadcaster: Broadcaster;
  api: ApiClient;
  hostPatterns: string[];
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
    return (await local.get<string>('server')) ?? defaultServer(deps.hostPatterns);
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
          else throw error;
        }
      }
    }
    const stored = info ? null : await pending();
    const selected = info ? await local.get<string>(`account:${info.user.id}`) : undefined;
    const result: DialerView = {
      server: at,
      signedIn: info && {
        user: info.user, accounts: info.accounts,
        selectedAccountId: info.accounts.find((a) => a.id === selected)?.id ?? info.accounts[0]?.id ?? null,
        setupDueBy: info.twoFactorSetupDueBy ?? null,
      },
      pending: stored && {
        email: stored.email, methods: stored.methods, preferredMethod: stored.preferredMethod, expiresAt: stored.expiresAt,
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

  async function signOut(): Promise<void> {
    await memory.remove('session');
    const at = await server();
    if (at) await cookies.remove(at, SESSION_COOKIE);
  }

  let cookieQueue: Promise<void> = Promise.resolve();

  async function announce(state: 'started' | 'ended'): Promise<void> {
    if (state === 'ended') await memory.remove('session');
    await Promise.all([
      broadcaster.toPages({ broadcast: 'session-changed', state }),
      broadcaster.toExtension({ broadcast: 'session-changed', state }),
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
    /** The email of the user signed in at a Twofold origin (its own session cookie), or null. */
    async userAt(origin: string): Promise<string | null> {
      const pageToken = await cookies.get(origin, SESSION_COOKIE);
      if (!pageToken) return null;
      return (await api.request<SessionResponse>(origin, 'GET', '/session', { token: pageToken })).user.email;
    },
    /** A Twofold web app page was opened at `origin`: the dialer follows it if it answers like a Twofold API. */
    async learnServer(origin: string): Promise<void> {
      if (origin === (await server())) return;
      const health = await api.request<{ status?: string } | null>(origin, 'GET', '/health');
      if (health?.status === 'ok') await setServer(origin);
    },
    /** chrome.cookies.onChanged: the web app signed in or out, the dialer did, or the cookie expired. Only a new
     * session or the end of one is announced: a cookie re-set with the same token (a refreshed expiry) is not,
     * so a page that re-checks its session on the event cannot start a loop. */
    handleCookieChange(change: CookieChange): Promise<void> {
      cookieQueue = cookieQueue.then(() => onCookieChange(change)).catch(() => undefined); // one at a time, in order
      return cookieQueue;
    },
  };

  async function onCookieChange(change: CookieChange): Promise<void> {
    if (change.name !== SESSION_COOKIE || !isTwofoldOrigin(`http://${change.host}`, deps.hostPatterns.map((p) => p.replace(/^https?:|^\*:/, 'http:')))) return;
    if (change.removed && change.cause === 'overwrite') return; // a new value follows at once
    const key = `cookie-tag:${change.host}`;
    const tag = change.removed ? 'none' : await tagOf(change.value);
    if ((await memory.get<string>(key)) === tag) return;
    await memory.set(key, tag);
    // A session started elsewhere (the web app passed the dialer's challenge, or a sign-in of its own): the
    // dialer's pending challenge is over.
    if (!change.removed) await memory.remove('pending');
    await announce(change.removed ? 'ended' : 'started');
  }
}
