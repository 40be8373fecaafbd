// The message handlers: each names who may send it, how its request is checked, and what it does.
// Content-script handlers take the page's origin from the sender (router.ts), never from the request.
import type { Method } from '../shared/schemas.ts';
import type { KeyValueStore } from './browser-api-worker.ts';
import { DialerError, type Dialer } from './dialer.ts';
import type { MessageError } from './messages.ts';
import { normaliseServer } from './origins.ts';
import type { Handlers } from './router.ts';
import { tagOf, type SessionSync } from './session-sync.ts';
import { ApiCallError } from './twofold-api.ts';
import type { Vault } from './vault.ts';

export interface HandlerDeps {
  vault: Vault;
  dialer: Dialer;
  sync: SessionSync;
  local: KeyValueStore;
  hostPatterns: readonly string[];
  now(): number;
  /** The email of the user signed in at `origin` (its session cookie), or null. */
  userAt(origin: string): Promise<string | null>;
  /** Adopts `origin` as the dialer's server if it answers like a Twofold API. */
  learnServer(origin: string): Promise<void>;
}

// ---- request checks ----
type Fields = Record<string, unknown>;
const object = (raw: unknown): Fields | null => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw as Fields : null);
const text = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
const empty = (raw: unknown): Record<string, never> | null => (raw === undefined || object(raw) ? {} : null);
const METHODS: readonly string[] = ['totp', 'sms', 'email', 'backup_code', 'recovery_code'] satisfies Method[];
const isMethod = (value: unknown): value is Method => typeof value === 'string' && METHODS.includes(value);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function parse<T>(check: (r: Fields) => T | null) {
  return (raw: unknown): T | null => {
    const fields = object(raw);
    return fields ? check(fields) : null;
  };
}

export function describeError(error: unknown): MessageError {
  if (error instanceof ApiCallError) {
    if (error.code === 'network_error') return { reason: 'network_error', message: error.message };
    return { reason: 'api_error', message: error.message, apiCode: error.code, ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}) };
  }
  if (error instanceof DialerError) return { reason: error.reason, message: error.message };
  return { reason: 'failed', message: 'Something went wrong in the extension. Please try again.' };
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { vault, dialer, sync } = deps;
  return {
    'dialer:view': { from: 'extension', parse: parse((r) => ({ fresh: r.fresh === true })), run: ({ fresh }) => sync.view(fresh) },
    'dialer:set-server': {
      from: 'extension',
      parse: parse((r) => (text(r.server, 200) ? { server: r.server } : null)),
      async run({ server }) {
        const origin = normaliseServer(server, deps.hostPatterns);
        if (!origin) throw new DialerError('invalid_request', 'That address is not a Twofold server this extension may use.');
        await sync.setServer(origin);
        return sync.view(true);
      },
    },
    'auth:login': {
      from: 'extension',
      parse: parse((r) => (text(r.email, 254) && text(r.password, 1024) ? { email: r.email, password: r.password } : null)),
      run: ({ email, password }) => dialer.login(email, password),
    },
    'auth:send-code': {
      from: 'extension',
      parse: parse((r) => (r.method === 'sms' || r.method === 'email' ? { method: r.method } : null)),
      run: ({ method }) => dialer.sendCode(method),
    },
    'auth:verify': {
      from: 'extension',
      parse: parse((r) => (isMethod(r.method) && text(r.code, 64) ? { method: r.method, code: r.code, rememberDevice: r.rememberDevice === true } : null)),
      run: ({ method, code, rememberDevice }) => dialer.verify(method, code, rememberDevice),
    },
    'auth:cancel': { from: 'extension', parse: empty, run: () => dialer.cancel() },
    'auth:continue-in-web': { from: 'extension', parse: empty, run: () => dialer.continueInWeb() },
    'auth:logout': { from: 'extension', parse: empty, run: () => dialer.logout() },
    'auth:dialer-code': { from: 'extension', parse: empty, run: async () => ({ code: await dialer.dialerCode() }) },
    'account:select': {
      from: 'extension',
      parse: parse((r) => (text(r.accountId, 100) ? { accountId: r.accountId } : null)),
      run: ({ accountId }) => dialer.selectAccount(accountId),
    },
    'calls:list': {
      from: 'extension',
      parse: parse((r) => (text(r.accountId, 100) ? { accountId: r.accountId } : null)),
      run: ({ accountId }) => dialer.listCalls(accountId),
    },
    'calls:place': {
      from: 'extension',
      parse: parse((r) => (text(r.accountId, 100) && text(r.to, 32) ? { accountId: r.accountId, to: r.to } : null)),
      run: ({ accountId, to }) => dialer.placeCall(accountId, to),
    },
    'vault:list': { from: 'extension', parse: empty, run: () => vault.list() },
    'vault:rename': {
      from: 'extension',
      parse: parse((r) => (text(r.id, 100) && text(r.name, 120) ? { id: r.id, name: r.name } : null)),
      async run({ id, name }) { await vault.rename(id, name); return vault.list(); },
    },
    'vault:remove': {
      from: 'extension',
      parse: parse((r) => (text(r.id, 100) ? { id: r.id } : null)),
      async run({ id }) { await vault.remove(id); return vault.list(); },
    },
    'clock:status': { from: 'extension', parse: empty, run: async () => ({ skewSeconds: await sync.clockSkewSeconds() }) },

    'page:hello': {
      from: 'content',
      parse: parse((r) => (r.deviceToken === null || text(r.deviceToken, 200) ? { deviceToken: r.deviceToken as string | null } : null)),
      async run({ deviceToken: pageToken }, { origin }) {
        await deps.learnServer(origin).catch(() => undefined);
        // Mirror the trusted-device token both ways: whichever side got a new one, the other learns it.
        const ours = await vault.readDeviceToken(origin);
        if (!pageToken) return { deviceToken: ours };
        const tagKey = `page-device-token:${origin}`;
        const tag = await tagOf(pageToken);
        if (tag !== (await deps.local.get<string>(tagKey))) {
          await deps.local.set(tagKey, tag);
          if (pageToken !== ours) await vault.saveDeviceToken(origin, pageToken);
          return { deviceToken: null };
        }
        return { deviceToken: ours && ours !== pageToken ? ours : null };
      },
    },
    'vault:keep': {
      from: 'content',
      parse: parse((r) => (text(r.uri, 2048) && (r.user === null || (text(r.user, 254) && EMAIL.test(r.user))) ? { uri: r.uri, user: r.user as string | null } : null)),
      async run({ uri, user }, { origin }) {
        const owner = (await deps.userAt(origin).catch(() => null)) ?? user;
        if (!owner) throw new DialerError('invalid_request', 'Sign in first, so Twofold knows whose authenticator this is.');
        try {
          return { name: (await vault.keep({ origin, user: owner, uri, now: deps.now() })).name };
        } catch (error) {
          if (error instanceof DialerError) throw error;
          throw new DialerError('invalid_request', 'This authenticator could not be kept: its setup link is not one Twofold accepts.');
        }
      },
    },
    'code:for-page': {
      from: 'content',
      parse: parse((r) => (text(r.user, 254) ? { user: r.user } : null)),
      run: async ({ user }, { origin }) => ({ code: await vault.codeFor(origin, user, deps.now()) }),
    },
  };
}
