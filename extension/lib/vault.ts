// Authenticator secrets, sealed (seal.ts) before their first write to IndexedDB, with the record key kept as the
// person chose (vault-key.ts: no passphrase, or a passphrase and a lock). A secret is opened only to compute the
// current code and is dropped at once; callers get codes, never secrets.
//
// The first authenticator is not written until the person has chosen how the vault is protected: it waits in
// storage.session (memory only) while they choose a passphrase, or unlock a locked vault, so a record key that
// was never protected is never written beside it.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { generateTotp, parseOtpauthUri, type TotpAlgorithm } from '../../shared/totp.ts';
import type { KeyValueStore } from './browser-api-worker.ts';
import type { AuthenticatorSummary, VaultStatus } from './messages.ts';
import { openText, sealText, type Sealed, type WrappedKey } from './seal.ts';
import { createKeyring, VaultLockedError, type Keyring } from './vault-key.ts';

export interface AuthenticatorRecord extends AuthenticatorSummary {
  sealed: Sealed;
}
interface SealedSecret {
  secretBase32: string;
  algorithm: TotpAlgorithm;
  digits: number;
  periodSeconds: number;
}

export interface VaultSchema extends DBSchema {
  keys: { key: string; value: CryptoKey | WrappedKey };
  authenticators: { key: string; value: AuthenticatorRecord; indexes: { 'by-owner': [string, string] } };
}

export const VAULT_DB = 'twofold-vault';
/** How long an authenticator offered for keeping waits for the person to choose a passphrase or unlock. */
const PENDING_KEEP_MS = 10 * 60_000;
const PENDING_KEEP = 'pending-keep';
/** A page asked the person to unlock (its card's "Unlock…"): the popup then shows the passphrase field first. */
const UNLOCK_ASKED = 'unlock-asked';
const UNLOCK_ASKED_MS = 2 * 60_000;

interface KeepInput {
  origin: string;
  user: string;
  uri: string;
  now: number;
}
interface PendingKeep extends Omit<KeepInput, 'now'> {
  at: number;
}

export type KeepOutcome =
  | { status: 'kept'; authenticator: AuthenticatorSummary }
  /** The vault has no key yet: the person chooses a passphrase (or none) first. */
  | { status: 'choose-protection' }
  | { status: 'locked' };

export interface Vault {
  /** Keeps an authenticator, or holds it in memory until the person chooses a protection or unlocks.
   * `withoutPassphrase`: the person chose to keep it with no passphrase (a new vault only). */
  keep(input: KeepInput, options?: { withoutPassphrase?: boolean }): Promise<KeepOutcome>;
  /** Keeps the authenticator waiting in memory, if the vault can now. */
  keepPending(now: number, options?: { withoutPassphrase?: boolean }): Promise<KeepOutcome | null>;
  list(): Promise<AuthenticatorSummary[]>;
  has(origin: string, user: string): Promise<boolean>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** The code for exactly this origin and user, `stepsAhead` steps after now, or null; throws VaultLockedError. */
  codeFor(origin: string, user: string, now: number, stepsAhead?: number): Promise<string | null>;
  status(now: number): Promise<VaultStatus>;
  unlock(passphrase: string, now: number): Promise<void>;
  /** A page asked to unlock: the popup shows the passphrase field first, for a short while. */
  askToUnlock(now: number): Promise<void>;
  lock(): Promise<void>;
  lockIfIdle(now: number): Promise<void>;
  setIdleMinutes(minutes: number | null, now: number): Promise<void>;
  /** Sets, changes (`current` is the passphrase now) or, with `passphrase` null, removes the passphrase. Every change
   * seals the records again under a new record key. */
  setPassphrase(passphrase: string | null, current: string | null, now: number): Promise<void>;
}

export function openVaultDb(name = VAULT_DB): Promise<IDBPDatabase<VaultSchema>> {
  return openDB<VaultSchema>(name, 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('keys');
        db.createObjectStore('authenticators', { keyPath: 'id' }).createIndex('by-owner', ['origin', 'user']);
      }
      // Version 1 also kept sealed trusted-device tokens: the API's HttpOnly cookie is their only home now.
      if (oldVersion === 1 && (db.objectStoreNames as DOMStringList).contains('device-tokens'))
        db.deleteObjectStore('device-tokens' as never);
    },
  });
}

function summary(record: AuthenticatorRecord): AuthenticatorSummary {
  const { id, name, issuer, origin, user, createdAt } = record;
  return { id, name, issuer, origin, user, createdAt };
}

export function normaliseUser(user: string): string {
  return user.trim().toLowerCase();
}

const bindingOf = (record: Pick<AuthenticatorRecord, 'origin' | 'user'>) => ({
  kind: 'authenticator' as const,
  origin: record.origin,
  user: record.user,
});

export interface VaultDeps {
  session: KeyValueStore;
  local: KeyValueStore;
  keyring?: Keyring;
  alarms?: Parameters<typeof createKeyring>[0]['alarms'];
}

export function createVault(dbPromise: Promise<IDBPDatabase<VaultSchema>>, deps: VaultDeps): Vault {
  const keyring = deps.keyring ?? createKeyring({ db: dbPromise, session: deps.session, local: deps.local, alarms: deps.alarms });
  let queue: Promise<unknown> = Promise.resolve();
  /** Writes one at a time, so a keep cannot slip between the reading and the re-sealing of a passphrase change. */
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  async function ownerRecords(db: IDBPDatabase<VaultSchema>, origin: string, user: string) {
    return db.getAllFromIndex('authenticators', 'by-owner', [origin, normaliseUser(user)]);
  }

  async function write(key: CryptoKey, { origin, user, uri, now }: KeepInput): Promise<AuthenticatorSummary> {
    const parsed = parseOtpauthUri(uri);
    const db = await dbPromise;
    const owner = normaliseUser(user);
    const secret: SealedSecret = {
      secretBase32: parsed.secretBase32,
      algorithm: parsed.algorithm,
      digits: parsed.digits,
      periodSeconds: parsed.periodSeconds,
    };
    const sealed = await sealText(key, JSON.stringify(secret), bindingOf({ origin, user: owner }));
    const record: AuthenticatorRecord = {
      id: crypto.randomUUID(),
      origin,
      user: owner,
      createdAt: new Date(now).toISOString(),
      issuer: parsed.issuer,
      name: (parsed.issuer ? `${parsed.issuer} (${owner})` : owner).slice(0, 120),
      sealed,
    };
    const replaced = await ownerRecords(db, origin, owner);
    const tx = db.transaction('authenticators', 'readwrite');
    for (const old of replaced) await tx.store.delete(old.id);
    await tx.store.add(record);
    await tx.done;
    return summary(record);
  }

  async function keep(input: KeepInput, options: { withoutPassphrase?: boolean } = {}): Promise<KeepOutcome> {
    parseOtpauthUri(input.uri); // a hostile URI is refused before anything is held
    let key: CryptoKey | null;
    try {
      key = await keyring.currentKey(input.now);
    } catch (error) {
      if (!(error instanceof VaultLockedError)) throw error;
      await hold(input);
      return { status: 'locked' };
    }
    if (!key && options.withoutPassphrase) {
      const prepared = await keyring.prepare(null);
      await (await dbPromise).put('keys', prepared.stored, prepared.id);
      await keyring.activate(prepared, input.now);
      key = prepared.key;
    }
    if (!key) {
      await hold(input);
      return { status: 'choose-protection' };
    }
    const authenticator = await write(key, input);
    await deps.session.remove(PENDING_KEEP);
    return { status: 'kept', authenticator };
  }

  async function hold({ origin, user, uri, now }: KeepInput): Promise<void> {
    await deps.session.set(PENDING_KEEP, { origin, user, uri, at: now } satisfies PendingKeep);
  }

  async function pendingKeep(now: number): Promise<PendingKeep | null> {
    const pending = await deps.session.get<PendingKeep>(PENDING_KEEP);
    return pending && now - pending.at < PENDING_KEEP_MS ? pending : null;
  }

  async function keepPending(now: number, options: { withoutPassphrase?: boolean } = {}): Promise<KeepOutcome | null> {
    const pending = await pendingKeep(now);
    return pending ? keep({ ...pending, now }, options) : null;
  }

  async function reseal(from: CryptoKey | null, passphrase: string | null, now: number): Promise<void> {
    const db = await dbPromise;
    const prepared = await keyring.prepare(passphrase);
    const resealed: AuthenticatorRecord[] = [];
    for (const record of await db.getAll('authenticators')) {
      const plain = from ? await openText(from, record.sealed, bindingOf(record)) : null;
      if (plain !== null) resealed.push({ ...record, sealed: await sealText(prepared.key, plain, bindingOf(record)) });
    }
    const tx = db.transaction(['keys', 'authenticators'], 'readwrite');
    const keys = tx.objectStore('keys');
    const records = tx.objectStore('authenticators');
    await keys.clear();
    await keys.put(prepared.stored, prepared.id);
    await records.clear(); // a record the old key could not open could never open again
    for (const record of resealed) await records.put(record);
    await tx.done;
    await keyring.activate(prepared, now);
  }

  return {
    keep: (input, options) => exclusive(() => keep(input, options)),
    keepPending: (now, options) => exclusive(() => keepPending(now, options)),
    async list() {
      const db = await dbPromise;
      return (await db.getAll('authenticators')).map(summary).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async has(origin, user) {
      return (await ownerRecords(await dbPromise, origin, user)).length > 0;
    },
    async rename(id, name) {
      const db = await dbPromise;
      const tx = db.transaction('authenticators', 'readwrite');
      const record = await tx.store.get(id);
      if (record) await tx.store.put({ ...record, name: name.trim().slice(0, 120) || record.name });
      await tx.done;
    },
    async remove(id) {
      await (await dbPromise).delete('authenticators', id);
    },
    async codeFor(origin, user, now, stepsAhead = 0) {
      const db = await dbPromise;
      const owner = normaliseUser(user);
      const [record] = await ownerRecords(db, origin, owner);
      if (!record || record.origin !== origin || record.user !== owner) return null;
      const key = await keyring.currentKey(now);
      const opened = key && (await openText(key, record.sealed, bindingOf(record)));
      if (!opened) return null;
      const secret = JSON.parse(opened) as SealedSecret;
      const at = now + stepsAhead * secret.periodSeconds * 1000;
      return generateTotp(secret.secretBase32, at, {
        algorithm: secret.algorithm,
        digits: secret.digits,
        periodSeconds: secret.periodSeconds,
      });
    },
    async status(now) {
      const pending = await pendingKeep(now);
      let pendingName: string | null = null;
      if (pending) {
        try {
          const issuer = parseOtpauthUri(pending.uri).issuer;
          pendingName = issuer ? `${issuer} (${normaliseUser(pending.user)})` : normaliseUser(pending.user);
        } catch {
          /* refused when it was offered: never held */
        }
      }
      const locked = await keyring.isLocked(now);
      const asked = await deps.session.get<number>(UNLOCK_ASKED);
      return {
        protection: await keyring.protection(),
        locked,
        unlockAsked: locked && asked !== undefined && now - asked < UNLOCK_ASKED_MS,
        idleMinutes: await keyring.idleMinutes(),
        count: await (await dbPromise).count('authenticators'),
        pendingKeep: pendingName,
      };
    },
    async unlock(passphrase, now) {
      await keyring.unlock(passphrase, now);
      await deps.session.remove(UNLOCK_ASKED);
    },
    askToUnlock: (now) => deps.session.set(UNLOCK_ASKED, now),
    lock: () => keyring.lock(),
    lockIfIdle: (now) => keyring.lockIfIdle(now),
    setIdleMinutes: (minutes, now) => keyring.setIdleMinutes(minutes, now),
    setPassphrase: (passphrase, current, now) =>
      exclusive(async () => {
        // The key the records are sealed with now: the passphrase's proves the person knows it, even when unlocked.
        const protection = await keyring.protection();
        const from = protection === 'passphrase' ? await keyring.keyFor(current ?? '') : await keyring.currentKey(now);
        await reseal(from, passphrase, now);
      }),
  };
}
