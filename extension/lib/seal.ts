// AES-GCM sealing for the vault: a 256-bit record key, a fresh 96-bit IV for every record, and additional data
// that binds a record to where it belongs (kind, origin, user), so a record copied to another origin or user does
// not open. With a passphrase, the record key itself is sealed with a key derived from it (PBKDF2-SHA-256).
export interface Sealed {
  iv: Uint8Array;
  ciphertext: ArrayBuffer;
}

export interface Binding {
  kind: 'authenticator';
  origin: string;
  user: string;
}

const encoder = new TextEncoder();

export function generateVaultKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

function additionalData(binding: Binding): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(['twofold-vault/v1', binding.kind, binding.origin, binding.user]));
}

export async function sealText(key: CryptoKey, plaintext: string, binding: Binding): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(binding) },
    key,
    encoder.encode(plaintext),
  );
  return { iv, ciphertext };
}

/** The plaintext, or null when the record was altered or is bound to another place. */
export async function openText(key: CryptoKey, sealed: Sealed, binding: Binding): Promise<string | null> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(sealed.iv), additionalData: additionalData(binding) },
      key,
      sealed.ciphertext,
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

// ---- the record key under a passphrase ----
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; a stored vault with fewer is refused. */
export const PBKDF2_ITERATIONS = 600_000;

/** The record key, encrypted with a key derived from the person's passphrase: all that is written to disk. */
export interface WrappedKey {
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  /** 16 random bytes, new for every vault and every passphrase. */
  salt: Uint8Array;
  iv: Uint8Array;
  wrapped: ArrayBuffer;
}

const WRAP_BINDING = encoder.encode('twofold-vault/v1 record-key');

async function passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** 32 random bytes: a new record key, raw, to be wrapped or imported. */
export function randomRecordKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** The record key as a non-extractable CryptoKey for sealing and opening. */
export function importRecordKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function wrapRecordKey(raw: Uint8Array, passphrase: string): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await passphraseKey(passphrase, salt, PBKDF2_ITERATIONS);
  const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: WRAP_BINDING }, key, new Uint8Array(raw));
  return { kdf: 'PBKDF2-SHA-256', iterations: PBKDF2_ITERATIONS, salt, iv, wrapped };
}

/** The raw record key, or null when the passphrase is wrong (or the stored key was altered). */
export async function unwrapRecordKey(stored: WrappedKey, passphrase: string): Promise<Uint8Array | null> {
  if (stored.kdf !== 'PBKDF2-SHA-256' || !(stored.iterations >= PBKDF2_ITERATIONS)) return null;
  const key = await passphraseKey(passphrase, stored.salt, stored.iterations);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(stored.iv), additionalData: WRAP_BINDING }, key, stored.wrapped),
    );
  } catch {
    return null;
  }
}
