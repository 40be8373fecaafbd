// The vault keeps authenticator secrets and device tokens sealed in IndexedDB (fake-indexeddb here).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { buildOtpauthUri, generateTotp, generateTotpSecret } from '../../shared/totp.ts';
import { createVault, openVaultDb, type AuthenticatorRecord } from '../../extension/vault.ts';
import { openText, sealText } from '../../extension/seal.ts';

let dbCount = 0;
function freshVault() {
  const db = openVaultDb(`vault-test-${++dbCount}`);
  return { db, vault: createVault(db) };
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
    const kept = await vault.keep({ origin: ORIGIN, user: 'Alice@Example.com', uri: uriFor(secret), now: NOW });
    expect(kept).toMatchObject({ origin: ORIGIN, user: 'alice@example.com', issuer: 'Twofold' });
    expect(JSON.stringify(kept)).not.toContain(secret);
    expect(await vault.codeFor(ORIGIN, 'ALICE@example.com', NOW)).toBe(generateTotp(secret, NOW));
    expect(await vault.has(ORIGIN, 'alice@example.com')).toBe(true);
  });

  it('plaintext secret at rest: stored records hold no plaintext secret or device token', async () => {
    const { vault, db } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW });
    await vault.saveDeviceToken(ORIGIN, 'device-token-abcdefghijklmnop');
    const raw = await db;
    const everything = dump([await raw.getAll('authenticators'), await raw.getAll('device-tokens')]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret, 'latin1').toString('latin1'));
    expect(everything).not.toContain('device-token-abcdefghijklmnop');
    expect(await vault.readDeviceToken(ORIGIN)).toBe('device-token-abcdefghijklmnop');
  });

  it('key theft by export: the vault key is a non-extractable CryptoKey', async () => {
    const { vault, db } = freshVault();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW });
    const [key] = await (await db).getAll('keys');
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key!.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key!)).rejects.toThrow();
  });

  it('IV reuse: every record gets a fresh IV, even for the same plaintext', async () => {
    const { vault, db } = freshVault();
    const secret = generateTotpSecret();
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW });
    await vault.keep({ origin: ORIGIN, user: 'bob@example.com', uri: uriFor(secret, 'bob@example.com'), now: NOW });
    await vault.keep({ origin: 'http://localhost:3000', user: 'alice@example.com', uri: uriFor(secret), now: NOW });
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
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(secret), now: NOW });
    const raw = await db;
    const [record] = (await raw.getAll('authenticators')) as AuthenticatorRecord[];
    await raw.put('authenticators', { ...record!, id: 'moved-origin', origin: 'http://evil.example:3000' });
    await raw.put('authenticators', { ...record!, id: 'moved-user', user: 'mallory@example.com' });
    expect(await vault.codeFor('http://evil.example:3000', 'alice@example.com', NOW)).toBeNull();
    expect(await vault.codeFor(ORIGIN, 'mallory@example.com', NOW)).toBeNull();
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));

    await vault.saveDeviceToken(ORIGIN, 'token-for-origin-one');
    const device = await raw.get('device-tokens', ORIGIN);
    await raw.put('device-tokens', { ...device!, origin: 'http://localhost:3000' });
    expect(await vault.readDeviceToken('http://localhost:3000')).toBeNull();
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
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW });
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
    await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(generateTotpSecret()), now: NOW });
    const second = generateTotpSecret();
    const kept = await vault.keep({ origin: ORIGIN, user: 'alice@example.com', uri: uriFor(second), now: NOW + 1000 });
    expect(await vault.list()).toHaveLength(1);
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBe(generateTotp(second, NOW));
    await vault.rename(kept.id, '  Work laptop  ');
    expect((await vault.list())[0]!.name).toBe('Work laptop');
    await vault.remove(kept.id);
    expect(await vault.list()).toEqual([]);
    expect(await vault.codeFor(ORIGIN, 'alice@example.com', NOW)).toBeNull();
  });
});
