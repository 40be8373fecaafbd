// The message handlers: each names who may send it, how its request is checked, and what it does.
// Content-script handlers take the page's origin from the sender (router.ts), never from the request.
import type { Method } from '../../shared/schemas.ts';
import type { KeyValueStore } from './browser-api-worker.ts';
import { DialerError, type Dialer } from './dialer.ts';
import type { KeepAnswer, MessageError, VaultStatus } from './messages.ts';
import { normaliseServer } from './origins.ts';
import type { Handlers } from './router.ts';
import type { SessionSync } from './session-sync.ts';
import { ApiCallError } from './twofold-api.ts';
import type { KeepOutcome, Vault } from './vault.ts';
import { VaultLockedError, WrongPassphraseError } from './vault-key.ts';

export interface HandlerDeps {
  vault: Vault;
  dialer: Dialer;
  sync: SessionSync;
  local: KeyValueStore;
  hostPatterns: readonly string[];
  now(): number;
  /** The email of the user signed in at `origin` (its session cookie in the tab's cookie store), or null. */
  userAt(origin: string, storeId?: string): Promise<string | null>;
  /** Notes a Twofold page at `origin`, for the popup to offer (never to follow by itself). */
  noticeServer(origin: string): Promise<void>;
  /** Tells the pages and the extension that the vault changed (unlocked, locked, an authenticator kept). */
  announceVault(kept: string | null): Promise<void>;
  /** Opens where the person types the passphrase: to unlock, or the options page to choose one. */
  show(what: 'unlock' | 'passphrase'): Promise<void>;
}

/** A passphrase: long enough to be worth the wait, short enough to refuse junk. */
const MIN_PASSPHRASE = 8;
const IDLE_CHOICES: readonly (number | null)[] = [1, 5, 15, 60, 240, null];

// ---- request checks ----
type Fields = Record<string, unknown>;
const object = (raw: unknown): Fields | null => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Fields) : null);
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
    return {
      reason: 'api_error',
      message: error.message,
      apiCode: error.code,
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof DialerError) return { reason: error.reason, message: error.message };
  if (error instanceof VaultLockedError) return { reason: 'locked', message: error.message };
  if (error instanceof WrongPassphraseError) return { reason: 'invalid_request', message: error.message };
  return { reason: 'failed', message: 'Something went wrong in the extension. Please try again.' };
}

function answerOf(outcome: KeepOutcome): KeepAnswer {
  return outcome.status === 'kept' ? { status: 'kept', name: outcome.authenticator.name } : outcome;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { vault, dialer, sync } = deps;

  /** After the vault opened or got its protection: keep what waited, and tell everyone. */
  async function settled(): Promise<VaultStatus> {
    const kept = await vault.keepPending(deps.now());
    await deps.announceVault(kept?.status === 'kept' ? kept.authenticator.name : null);
    return vault.status(deps.now());
  }

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
      parse: parse((r) =>
        isMethod(r.method) && text(r.code, 64) ? { method: r.method, code: r.code, rememberDevice: r.rememberDevice === true } : null,
      ),
      run: ({ method, code, rememberDevice }) => dialer.verify(method, code, rememberDevice),
    },
    'auth:cancel': { from: 'extension', parse: empty, run: () => dialer.cancel() },
    'auth:continue-in-web': { from: 'extension', parse: empty, run: () => dialer.continueInWeb() },
    'auth:logout': { from: 'extension', parse: empty, run: () => dialer.logout() },
    'auth:dialer-code': {
      from: 'extension',
      parse: (raw) => (raw === undefined ? { next: false } : parse((r) => ({ next: r.next === true }))(raw)),
      async run({ next }) {
        try {
          return { code: await dialer.dialerCode(next ? 1 : 0), locked: false };
        } catch (error) {
          if (error instanceof VaultLockedError) return { code: null, locked: true };
          throw error;
        }
      },
    },
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
      async run({ id, name }) {
        await vault.rename(id, name);
        return vault.list();
      },
    },
    'vault:remove': {
      from: 'extension',
      parse: parse((r) => (text(r.id, 100) ? { id: r.id } : null)),
      async run({ id }) {
        await vault.remove(id);
        return vault.list();
      },
    },
    'vault:status': { from: 'extension', parse: empty, run: () => vault.status(deps.now()) },
    'vault:unlock': {
      from: 'extension',
      parse: parse((r) => (text(r.passphrase, 1024) ? { passphrase: r.passphrase } : null)),
      async run({ passphrase }) {
        await vault.unlock(passphrase, deps.now());
        return settled();
      },
    },
    'vault:lock': {
      from: 'extension',
      parse: empty,
      async run() {
        await vault.lock();
        await deps.announceVault(null);
        return vault.status(deps.now());
      },
    },
    'vault:set-passphrase': {
      from: 'extension',
      parse: parse((r) =>
        (r.passphrase === null || text(r.passphrase, 1024)) && (r.current === null || text(r.current, 1024))
          ? { passphrase: r.passphrase as string | null, current: r.current as string | null }
          : null,
      ),
      async run({ passphrase, current }) {
        if (passphrase !== null && [...passphrase].length < MIN_PASSPHRASE) {
          throw new DialerError(
            'invalid_request',
            `Use at least ${MIN_PASSPHRASE} characters: a few unrelated words are easy to remember and hard to guess.`,
          );
        }
        await vault.setPassphrase(passphrase, current, deps.now());
        return settled();
      },
    },
    'vault:set-idle': {
      from: 'extension',
      parse: parse((r) => (IDLE_CHOICES.includes(r.minutes as number | null) ? { minutes: r.minutes as number | null } : null)),
      async run({ minutes }) {
        await vault.setIdleMinutes(minutes, deps.now());
        return vault.status(deps.now());
      },
    },
    'clock:status': { from: 'extension', parse: empty, run: async () => ({ skewSeconds: await sync.clockSkewSeconds() }) },

    'page:hello': {
      from: 'content',
      parse: empty,
      async run(_request, { origin }) {
        await deps.noticeServer(origin).catch(() => undefined);
        return {};
      },
    },
    'vault:keep': {
      from: 'content',
      parse: parse((r) =>
        text(r.uri, 2048) && (r.user === null || (text(r.user, 254) && EMAIL.test(r.user)))
          ? { uri: r.uri, user: r.user as string | null, withoutPassphrase: r.withoutPassphrase === true }
          : null,
      ),
      async run({ uri, user, withoutPassphrase }, { origin, storeId }) {
        const owner = (await deps.userAt(origin, storeId).catch(() => null)) ?? user;
        if (!owner) throw new DialerError('invalid_request', 'Sign in first, so Twofold knows whose authenticator this is.');
        let outcome: KeepOutcome;
        try {
          outcome = await vault.keep({ origin, user: owner, uri, now: deps.now() }, { withoutPassphrase });
        } catch (error) {
          if (error instanceof DialerError) throw error;
          throw new DialerError('invalid_request', 'This authenticator could not be kept: its setup link is not one Twofold accepts.');
        }
        if (outcome.status === 'kept') await deps.announceVault(outcome.authenticator.name);
        return answerOf(outcome);
      },
    },
    'vault:show': {
      from: 'content',
      parse: parse((r) => (r.what === 'unlock' || r.what === 'passphrase' ? { what: r.what } : null)),
      async run({ what }) {
        if (what === 'unlock') await vault.askToUnlock(deps.now());
        await deps.show(what);
        return {};
      },
    },
    'code:for-page': {
      from: 'content',
      parse: parse((r) => (text(r.user, 254) ? { user: r.user } : null)),
      async run({ user }, { origin }) {
        try {
          return { code: await vault.codeFor(origin, user, deps.now()), locked: false };
        } catch (error) {
          if (error instanceof VaultLockedError) return { code: null, locked: true };
          throw error;
        }
      },
    },
  };
}
