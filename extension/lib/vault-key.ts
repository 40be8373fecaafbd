// The vault's record key: how it is kept at rest, and whether it is at hand. Two ways, the person's choice:
// - no passphrase: a non-extractable AES-GCM CryptoKey in IndexedDB. Scripts cannot export it, but the browser
//   writes it into the profile's files beside the records, so a copy of the profile opens every record: what
//   protects the codes is this computer's account.
// - a passphrase: only the record key wrapped with a key derived from the passphrase (seal.ts: PBKDF2-SHA-256,
//   600,000 iterations, a per-vault salt) is written. Unwrapped, the key lives in the worker's memory and in
//   storage.session (memory only, gone when the browser closes) until the vault locks: on request, or after the
//   idle time without a use (an alarm, so it happens even while nothing wakes the worker).
import type { IDBPDatabase } from 'idb';
import type { AlarmClock, KeyValueStore } from './browser-api-worker.ts';
import { importRecordKey, randomRecordKey, unwrapRecordKey, wrapRecordKey, type WrappedKey } from './seal.ts';
import type { VaultSchema } from './vault.ts';

export type Protection = 'unset' | 'none' | 'passphrase';

export class VaultLockedError extends Error {
  constructor() {
    super('Twofold is locked. Unlock it with your passphrase first.');
  }
}
export class WrongPassphraseError extends Error {
  constructor() {
    super('That passphrase is not right.');
  }
}

export const PLAIN_KEY_ID = 'vault-key';
export const WRAPPED_KEY_ID = 'wrapped-key';
export const LOCK_ALARM = 'vault-lock';
export const DEFAULT_IDLE_MINUTES = 15;
const UNLOCKED = 'vault-unlocked';
const IDLE_MINUTES = 'vault-idle-minutes';

interface Unlocked {
  raw: string;
  lastUsedAt: number;
}

/** A new record key, ready to be written with the records it re-seals (one transaction), then activated. */
export interface PreparedKey {
  key: CryptoKey;
  id: typeof PLAIN_KEY_ID | typeof WRAPPED_KEY_ID;
  stored: CryptoKey | WrappedKey;
  raw: Uint8Array | null;
}

export interface KeyringDeps {
  db: Promise<IDBPDatabase<VaultSchema>>;
  /** storage.session: memory only. */
  session: KeyValueStore;
  /** storage.local: the idle time. */
  local: KeyValueStore;
  alarms?: AlarmClock;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export type Keyring = ReturnType<typeof createKeyring>;

export function createKeyring(deps: KeyringDeps) {
  let cached: { raw: string; key: CryptoKey } | null = null;

  async function protection(): Promise<Protection> {
    const db = await deps.db;
    if (await db.get('keys', WRAPPED_KEY_ID)) return 'passphrase';
    return (await db.get('keys', PLAIN_KEY_ID)) ? 'none' : 'unset';
  }

  /** Minutes without a use before the vault locks; null: only when the browser closes. */
  async function idleMinutes(): Promise<number | null> {
    const stored = await deps.local.get<number | null>(IDLE_MINUTES);
    return stored === undefined ? DEFAULT_IDLE_MINUTES : stored;
  }

  async function lock(): Promise<void> {
    cached = null;
    await deps.session.remove(UNLOCKED);
    await deps.alarms?.cancel(LOCK_ALARM);
  }

  async function isIdle(state: Unlocked, now: number): Promise<boolean> {
    const idle = await idleMinutes();
    return idle !== null && now - state.lastUsedAt >= idle * 60_000;
  }

  /** Marks a use: the idle time starts again. */
  async function touch(state: Unlocked, now: number): Promise<void> {
    await deps.session.set(UNLOCKED, { ...state, lastUsedAt: now } satisfies Unlocked);
    const idle = await idleMinutes();
    if (idle !== null) deps.alarms?.schedule(LOCK_ALARM, now + idle * 60_000);
  }

  async function unlockedKey(now: number): Promise<CryptoKey | null> {
    const state = await deps.session.get<Unlocked>(UNLOCKED);
    if (!state) {
      cached = null;
      return null;
    }
    if (await isIdle(state, now)) {
      await lock();
      return null;
    }
    await touch(state, now);
    if (cached?.raw !== state.raw) cached = { raw: state.raw, key: await importRecordKey(fromBase64(state.raw)) };
    return cached.key;
  }

  async function unwrapWith(passphrase: string): Promise<Uint8Array> {
    const stored = await (await deps.db).get('keys', WRAPPED_KEY_ID);
    const raw = stored && !(stored instanceof CryptoKey) ? await unwrapRecordKey(stored, passphrase) : null;
    if (!raw) throw new WrongPassphraseError();
    return raw;
  }

  return {
    protection,
    idleMinutes,
    lock,

    async isLocked(now: number): Promise<boolean> {
      if ((await protection()) !== 'passphrase') return false;
      const state = await deps.session.get<Unlocked>(UNLOCKED);
      return !state || (await isIdle(state, now));
    },

    /** The key that opens the records now, or null when the vault has none yet; throws VaultLockedError. */
    async currentKey(now: number): Promise<CryptoKey | null> {
      const db = await deps.db;
      const plain = await db.get('keys', PLAIN_KEY_ID);
      if (plain instanceof CryptoKey) return plain;
      if (!(await db.get('keys', WRAPPED_KEY_ID))) return null;
      const key = await unlockedKey(now);
      if (!key) throw new VaultLockedError();
      return key;
    },

    /** The key, unwrapped with `passphrase` (throws WrongPassphraseError), without unlocking anything. */
    async keyFor(passphrase: string): Promise<CryptoKey> {
      return importRecordKey(await unwrapWith(passphrase));
    },

    async unlock(passphrase: string, now: number): Promise<void> {
      const raw = await unwrapWith(passphrase);
      await touch({ raw: toBase64(raw), lastUsedAt: now }, now);
    },

    /** The alarm fired (or the worker woke): lock if the idle time has passed. */
    async lockIfIdle(now: number): Promise<void> {
      const state = await deps.session.get<Unlocked>(UNLOCKED);
      if (state && (await isIdle(state, now))) await lock();
    },

    async setIdleMinutes(minutes: number | null, now: number): Promise<void> {
      await deps.local.set(IDLE_MINUTES, minutes);
      const state = await deps.session.get<Unlocked>(UNLOCKED);
      if (minutes === null) await deps.alarms?.cancel(LOCK_ALARM);
      else if (state) deps.alarms?.schedule(LOCK_ALARM, state.lastUsedAt + minutes * 60_000);
      if (state && (await isIdle(state, now))) await lock();
    },

    /** A new record key: wrapped with `passphrase`, or a non-extractable CryptoKey when there is none. */
    async prepare(passphrase: string | null): Promise<PreparedKey> {
      if (passphrase === null) {
        const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        return { key, id: PLAIN_KEY_ID, stored: key, raw: null };
      }
      const raw = randomRecordKey();
      return { key: await importRecordKey(raw), id: WRAPPED_KEY_ID, stored: await wrapRecordKey(raw, passphrase), raw };
    },

    /** After the prepared key was written: a passphrase vault starts unlocked, a plain one forgets the old state. */
    async activate(prepared: PreparedKey, now: number): Promise<void> {
      await lock();
      if (prepared.raw) await touch({ raw: toBase64(prepared.raw), lastUsedAt: now }, now);
    },
  };
}
