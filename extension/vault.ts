// Authenticator secrets and trusted-device tokens, sealed (seal.ts) before their first write to IndexedDB.
// A secret is opened only to compute the current code and is dropped at once; callers get codes, never secrets.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { generateTotp, parseOtpauthUri, type TotpAlgorithm } from '../shared/totp.ts';
import type { AuthenticatorSummary } from './messages.ts';
import { generateVaultKey, openText, sealText, type Sealed } from './seal.ts';

export interface AuthenticatorRecord extends AuthenticatorSummary { sealed: Sealed }
interface DeviceTokenRecord { origin: string; sealed: Sealed }
interface SealedSecret { secretBase32: string; algorithm: TotpAlgorithm; digits: number; periodSeconds: number }

export interface VaultSchema extends DBSchema {
  keys: { key: string; value: CryptoKey };
  authenticators: { key: string; value: AuthenticatorRecord; indexes: { 'by-owner': [string, string] } };
  'device-tokens': { key: string; value: DeviceTokenRecord };
}

export const VAULT_DB = 'twofold-vault';
const KEY_ID = 'vault-key';

export interface Vault {
  keep(input: { origin: string; user: string; uri: string; now: number }): Promise<AuthenticatorSummary>;
  list(): Promise<AuthenticatorSummary[]>;
  has(origin: string, user: string): Promise<boolean>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** The current code for exactly this origin and user, or null. */
  codeFor(origin: string, user: string, now: number): Promise<string | null>;
  saveDeviceToken(origin: string, token: string): Promise<void>;
  readDeviceToken(origin: string): Promise<string | null>;
  forgetDeviceToken(origin: string): Promise<void>;
}

export function openVaultDb(name = VAULT_DB): Promise<IDBPDatabase<VaultSchema>> {
  return openDB<VaultSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('keys');
      db.createObjectStore('authenticators', { keyPath: 'id' }).createIndex('by-owner', ['origin', 'user']);
      db.createObjectStore('device-tokens', { keyPath: 'origin' });
    },
  });
}

/** The vault's key: generated once, non-extractable, kept as a CryptoKey (the browser stores it, wrapped). */
async function vaultKey(db: IDBPDatabase<VaultSchema>): Promise<CryptoKey> {
  const existing = await db.get('keys', KEY_ID);
  if (existing) return existing;
  const fresh = await generateVaultKey();
  const tx = db.transaction('keys', 'readwrite');
  const raced = await tx.store.get(KEY_ID);
  if (!raced) await tx.store.add(fresh, KEY_ID);
  await tx.done;
  return raced ?? fresh;
}

function summary(record: AuthenticatorRecord): AuthenticatorSummary {
  const { id, name, issuer, origin, user, createdAt } = record;
  return { id, name, issuer, origin, user, createdAt };
}

export function normaliseUser(user: string): string {
  return user.trim().toLowerCase();
}

export function createVault(dbPromise: Promise<IDBPDatabase<VaultSchema>>): Vault {
  async function ownerRecords(db: IDBPDatabase<VaultSchema>, origin: string, user: string) {
    return db.getAllFromIndex('authenticators', 'by-owner', [origin, normaliseUser(user)]);
  }
  return {
    async keep({ origin, user, uri, now }) {
      const parsed = parseOtpauthUri(uri);
      const db = await dbPromise;
      const key = await vaultKey(db);
      const owner = normaliseUser(user);
      const secret: SealedSecret = { secretBase32: parsed.secretBase32, algorithm: parsed.algorithm, digits: parsed.digits, periodSeconds: parsed.periodSeconds };
      const sealed = await sealText(key, JSON.stringify(secret), { kind: 'authenticator', origin, user: owner });
      const record: AuthenticatorRecord = {
        id: crypto.randomUUID(), origin, user: owner, createdAt: new Date(now).toISOString(),
        issuer: parsed.issuer, name: (parsed.issuer ? `${parsed.issuer} (${owner})` : owner).slice(0, 120), sealed,
      };
      const replaced = await ownerRecords(db, origin, owner);
      const tx = db.transaction('authenticators', 'readwrite');
      for (const old of replaced) await tx.store.delete(old.id);
      await tx.store.add(record);
      await tx.done;
      return summary(record);
    },
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
    async codeFor(origin, user, now) {
      const db = await dbPromise;
      const owner = normaliseUser(user);
      const [record] = await ownerRecords(db, origin, owner);
      if (!record || record.origin !== origin || record.user !== owner) return null;
      const opened = await openText(await vaultKey(db), record.sealed, { kind: 'authenticator', origin, user: owner });
      if (opened === null) return null;
      const secret = JSON.parse(opened) as SealedSecret;
      return generateTotp(secret.secretBase32, now, { algorithm: secret.algorithm, digits: secret.digits, periodSeconds: secret.periodSeconds });
    },
    async saveDeviceToken(origin, token) {
      const db = await dbPromise;
      const sealed = await sealText(await vaultKey(db), token, { kind: 'device-token', origin, user: '' });
      await db.put('device-tokens', { origin, sealed });
    },
    async readDeviceToken(origin) {
      const db = await dbPromise;
      const record = await db.get('device-tokens', origin);
      if (!record || record.origin !== origin) return null;
      return openText(await vaultKey(db), record.sealed, { kind: 'device-token', origin, user: '' });
    },
    async forgetDeviceToken(origin) {
      await (await dbPromise).delete('device-tokens', origin);
    },
  };
}
