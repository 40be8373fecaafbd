// The vault keeps authenticator secrets sealed in IndexedDB (fake-indexeddb here), with the record key kept
// as the person chose: no passphrase, or a passphrase (wrapped at rest, unwrapped only in memory, idle lock).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { buildOtpauthUri, generateTotp, generateTotpSecret } from '../../shared/totp.ts';
import type { AlarmClock, KeyValueStore } from '../../extension/lib/browser-api-worker.ts';
import { createVault, openVaultDb, type AuthenticatorRecord, type Vault } from '../../extension/lib/vault.ts';
import { openText, PBKDF2_ITERATIONS, sealText, type WrappedKey } from '../../extension/lib/seal.ts';
import { LOCK_ALARM, VaultLockedError, WrongPassphraseError } from '../../extension/lib/vault-key.ts';

let dbCount = 0;

function memoryStore(): KeyValueStore & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(k: string) => map.get(k) as T | undefined,
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
  };
}

function fakeAlarms(): AlarmClock & { at: Map<string, number> } {
  const at = new Map<string, number>();
  return { at, schedule: (name, when) => void at.set(name, when), cancel: async (name) => void at.delete(name), onAlarm: () => undefined };
}

/** A vault as the worker makes it; `reopen` is the same profile after the browser restarted (memory gone). */
function freshVault(name = `vault-test-${++dbCount}`) {
  const db = openVaultDb(name);
  const session = memoryStore();
  const local = memoryStore();
  const alarms = fakeAlarms();
  const vault = createVault(db, { session, local, alarms });
  const reopen = (): Vault => createVault(openVaultDb(name), { session: memoryStore(), local });
  return { db, vault, session, local, alarms, reopen };
}

const ORIGIN = 'http://127.0.0.1:3000';
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

function uriFor(secret: string, email = 'alice@example.com') {
  return buildOtpauthUri({ secretBase32: secret, issuer: 'Twofold', accountName: email });
}

/** Every byte a record holds, as text, to search for leaked secrets. */
function dump(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof ArrayBuffer) return Buffer.from(v).toString('latin1');
    if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
    return v;
  });
}

describe('vault', () => {
  it('seals a kept authenticator and opens it only to compute the current code', async () => {
    const { vault } = freshVault();
    const secret = generateTotpSecret();
    const kept = await vault.keep(
      { origin: ORIGIN, user: 'Alice@Example.com', uri: uriFor(secret), now: NOW },
      { withoutPassphrase: true },
    );
    expect(kept).toMatchObject({ status: 'kept', authenticator: { origin: ORIGIN, user: 'alice@example.com', issuer: 'Twofold' } });
    expect(JSON.stringify(kept)).not.toContain(secret);
    expect(await vault.codeFor(ORIGIN, 'ALICE@example.com', NOW)).toBe(generateTotp(secret, NOW));
    expect(await vault.has(ORIGIN, 'alice@example.com')).toBe(true);
  });

  it('plaintext secret at rest: stored records hold no plaintext secret', async () => {
    const { vault, db } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW }, { withoutPassphrase: true });
    const raw = await db;
    const everything = dump([await raw.getAll('authenticators'), await raw.getAll('keys')]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret, 'latin1').toString('latin1'));
  });

  it('key theft by export: the vault key is a non-extractable CryptoKey', async () => {
    const { vault, db } = freshVault();
    await vault.keep(
      { origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW },
      { withoutPassphrase: true },
    );
    const [key] = await (await db).getAll('keys');
    expect(key).toBeInstanceOf(CryptoKey);
    expect((key as CryptoKey).extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key as CryptoKey)).rejects.toThrow();
  });

  it('IV reuse: every record gets a fresh IV, even for the same plaintext', async () => {
    const { vault, db } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW }, { withoutPassphrase: true });
    await vault.keep(
      { origin: ORIGIN, user: 'bob@example.com', uri: uriFor(secret, 'bob@example.com'), now: NOW },
      { withoutPassphrase: true },
    );
    await vault.keep(
      { origin: 'http://localhost:3000', user: 'alice@example.com', uri: uriFor(secret), now: NOW },
      { withoutPassphrase: true },
    );
    const records = await (await db).getAll('authenticators');
    const ivs = new Set(records.map((r) => Buffer.from(r.sealed.iv).toString('hex')));
    expect(records).toHaveLength(3);
    expect(ivs.size).toBe(3);
    for (const r of records) expect(r.sealed.iv.byteLength).toBe(12);
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const binding = { kind: 'authenticator' as const, origin: ORIGIN, user: 'a' };
    const [one, two] = [await sealText(key, 'same', binding), await sealText(key, 'same', binding)];
    expect(Buffer.from(one.iv).equals(Buffer.from(two.iv))).toBe(false);
    expect(Buffer.from(one.ciphertext).equals(Buffer.from(two.ciphertext))).toBe(false);
  });

  it('record moved to another origin or user: it does not open (AAD binding)', async () => {
    const { vault, db } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW }, { withoutPassphrase: true });
    const raw = await db;
    const [record] = (await raw.getAll('authenticators')) as AuthenticatorRecord[];
    await raw.put('authenticators', { ...record!, id: 'moved-origin', origin: 'http://evil.example:3000' });
    await raw.put('authenticators', { ...record!, id: 'moved-user', user: 'mallory@example.com' });
    expect(await vault.codeFor('http://evil.example:3000', 'alice@example.com', NOW)).toBeNull();
    expect(await vault.codeFor(ORIGIN, 'mallory@example.com', NOW)).toBeNull();
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  });

  it('tampered ciphertext: does not open', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const binding = { kind: 'authenticator' as const, origin: ORIGIN, user: 'a' };
    const sealed = await sealText(key, 'secret', binding);
    const bytes = new Uint8Array(sealed.ciphertext.slice(0));
    bytes[0]! ^= 1;
    expect(await openText(key, { iv: sealed.iv, ciphertext: bytes.buffer }, binding)).toBeNull();
    expect(await openText(key, sealed, binding)).toBe('secret');
  });

  it('codes only for the exact origin: another port, host or scheme gets none', async () => {
    const { vault } = freshVault();
    await vault.keep(
      { origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW },
      { withoutPassphrase: true },
    );
    for (const origin of ['http://127.0.0.1:3001', 'http://localhost:3000', 'https://127.0.0.1:3000', 'http://127.0.0.1']) {
      expect(await vault.codeFor(origin, 'alice@example.com', NOW)).toBeNull();
    }
  });

  it('hostile otpauth URIs are refused and nothing is written', async () => {
    const { vault } = freshVault();
    const hostile = [
      'otpauth://hotp/Twofold:a?secret=JBSWY3DPEHPK3PXPJBSWY3DP&counter=1',
      'javascript:alert(1)//otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/Twofold:a?secret=JBSWY3DP',
      'otpauth://totp/Twofold:a%0Aevil?secret=JBSWY3DPEHPK3PXPJBSWY3DP',
      'otpauth://totp/Twofold:a?secret=JBSWY3DPEHPK3PXPJBSWY3DP&digits=3',
    ];
    for (const uri of hostile) {
      await expect(vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri, now: NOW })).rejects.toThrow();
    }
    expect(await vault.list()).toEqual([]);
  });

  it('keeping again for the same origin and user replaces the old secret; rename and remove', async () => {
    const { vault } = freshVault();
    await vault.keep(
      { origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW },
      { withoutPassphrase: true },
    );
    const second = generateTotpSecret();
    const kept = await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(second), now: NOW + 1000 });
    if (kept.status !== 'kept') throw new Error(`not kept: ${kept.status}`);
    expect(await vault.list()).toHaveLength(1);
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(second, NOW));
    await vault.rename(kept.authenticator.id, '  Work laptop  ');
    expect((await vault.list())[0]!.name).toBe('Work laptop');
    await vault.remove(kept.authenticator.id);
    expect(await vault.list()).toEqual([]);
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBeNull();
  });
});

describe('vault passphrase', () => {
  const PASSPHRASE = 'correct horse battery staple';

  /** What someone holding a copy of the profile's files has: every stored key and record. */
  async function tryEveryStoredKey(db: Awaited<ReturnType<typeof openVaultDb>>, secret: string): Promise<boolean> {
    const records = await db.getAll('authenticators');
    for (const candidate of await db.getAll('keys')) {
      if (!(candidate instanceof CryptoKey)) continue;
      for (const record of records) {
        const opened = await openText(candidate, record.sealed, { kind: 'authenticator', origin: record.origin, user: record.user });
        if (opened?.includes(secret)) return true;
      }
    }
    return false;
  }

  it('profile copy: with a passphrase, the stored files hold no key that opens a record, only a wrapped one', async () => {
    // Attack: read a closed browser profile's IndexedDB and open the records with the key stored beside them.
    const { db, vault, reopen } = freshVault();
    const secret = generateTotpSecret();
    await vault.setPassphrase(PASSPHRASE, null, NOW);
    expect(await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW })).toMatchObject({
      status: 'kept',
    });
    const raw = await db;
    expect(await tryEveryStoredKey(raw, secret)).toBe(false);
    const [wrapped, ...others] = await raw.getAll('keys');
    expect(others).toEqual([]);
    expect(wrapped).not.toBeInstanceOf(CryptoKey);
    expect(wrapped).toMatchObject({ kdf: 'PBKDF2-SHA-256', iterations: PBKDF2_ITERATIONS });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect((wrapped as WrappedKey).salt.byteLength).toBe(16);
    expect(dump(await raw.getAll('keys'))).not.toContain(PASSPHRASE);

    // The browser restarted: memory is gone, the vault is locked until the passphrase is typed.
    const restarted = reopen();
    await expect(restarted.codeFor(ORIGIN, 'alice@example.com', NOW)).rejects.toBeInstanceOf(VaultLockedError);
    expect(await restarted.status(NOW)).toMatchObject({ protection: 'passphrase', locked: true });
    await expect(restarted.unlock('correct horse battery stapler', NOW)).rejects.toBeInstanceOf(WrongPassphraseError);
    await restarted.unlock(PASSPHRASE, NOW);
    expect(await restarted.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  }, 30_000);

  it('profile copy, the control: without a passphrase the key beside the records opens them (why the options page says so)', async () => {
    const { db, vault } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW }, { withoutPassphrase: true });
    expect(await tryEveryStoredKey(await db, secret)).toBe(true);
  });

  it('one salt for all: every vault and every passphrase change gets its own salt and record key', async () => {
    const one = freshVault();
    const two = freshVault();
    await one.vault.setPassphrase(PASSPHRASE, null, NOW);
    await two.vault.setPassphrase(PASSPHRASE, null, NOW);
    const saltOf = async (db: typeof one.db) =>
      Buffer.from(((await (await db).get('keys', 'wrapped-key')) as WrappedKey).salt).toString('hex');
    const first = await saltOf(one.db);
    expect(first).not.toBe(await saltOf(two.db));
    await one.vault.setPassphrase('another four words', PASSPHRASE, NOW);
    expect(await saltOf(one.db)).not.toBe(first);
  }, 30_000);

  it('the first authenticator waits in memory until the person chooses: nothing is written before', async () => {
    const { db, vault, session } = freshVault();
    const secret = generateTotpSecret();
    expect(await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW })).toEqual({
      status: 'choose-protection',
    });
    const raw = await db;
    expect(await raw.getAll('keys')).toEqual([]);
    expect(await raw.getAll('authenticators')).toEqual([]);
    expect(session.map.size).toBe(1); // held in storage.session, which is memory only
    expect(await vault.status(NOW)).toMatchObject({ protection: 'unset', pendingKeep: 'Twofold (alice@example.com)' });
    await vault.setPassphrase(PASSPHRASE, null, NOW);
    expect(await vault.keepPending(NOW)).toMatchObject({ status: 'kept' });
    expect(await tryEveryStoredKey(raw, secret)).toBe(false);
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  }, 30_000);

  it('a key left unlocked: the vault locks after the idle time without use, by the alarm or at the next use', async () => {
    const { vault, local, alarms } = freshVault();
    const secret = generateTotpSecret();
    await vault.setPassphrase(PASSPHRASE, null, NOW);
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW });
    await vault.setIdleMinutes(5, NOW);
    expect(await local.get('vault-idle-minutes')).toBe(5);
    const used = NOW + 4 * 60_000;
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', used)).toBe(generateTotp(secret, used)); // a use restarts the idle time
    expect(alarms.at.get(LOCK_ALARM)).toBe(used + 5 * 60_000);
    await vault.lockIfIdle(used + 5 * 60_000 - 1);
    expect(await vault.status(used + 5 * 60_000 - 1)).toMatchObject({ locked: false });
    await vault.lockIfIdle(used + 5 * 60_000);
    expect(await vault.status(used + 5 * 60_000)).toMatchObject({ locked: true });
    expect(alarms.at.has(LOCK_ALARM)).toBe(false);

    await vault.unlock(PASSPHRASE, NOW);
    await expect(vault.codeFor(ORIGIN, 'alice@example.com', NOW + 6 * 60_000)).rejects.toBeInstanceOf(VaultLockedError); // no alarm came: the next use locks
  }, 30_000);

  it('a passphrase set on a vault with authenticators re-seals them: the old plain key opens nothing', async () => {
    const { db, vault } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW }, { withoutPassphrase: true });
    const raw = await db;
    const [oldKey] = await raw.getAll('keys');
    await vault.setPassphrase(PASSPHRASE, null, NOW);
    const [record] = await raw.getAll('authenticators');
    expect(
      await openText(oldKey as CryptoKey, record!.sealed, { kind: 'authenticator', origin: ORIGIN, user: 'alice@example.com' }),
    ).toBeNull();
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));

    // Removing it needs the passphrase, and goes back to a non-extractable key.
    await expect(vault.setPassphrase(null, 'not the passphrase', NOW)).rejects.toBeInstanceOf(WrongPassphraseError);
    await vault.setPassphrase(null, PASSPHRASE, NOW);
    expect(await vault.status(NOW)).toMatchObject({ protection: 'none', locked: false, count: 1 });
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  }, 30_000);

  it('a locked vault keeps nothing new until it is unlocked; what waited is kept then', async () => {
    const { vault } = freshVault();
    await vault.setPassphrase(PASSPHRASE, null, NOW);
    await vault.lock();
    const secret = generateTotpSecret();
    expect(await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW })).toEqual({ status: 'locked' });
    expect(await vault.list()).toEqual([]);
    await vault.unlock(PASSPHRASE, NOW);
    expect(await vault.keepPending(NOW)).toMatchObject({ status: 'kept' });
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  }, 30_000);
});
