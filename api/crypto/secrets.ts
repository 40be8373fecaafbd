// Secrets at rest and tokens: AES-256-GCM sealing, keyed hashes, token hashes, random tokens and codes.
// No secret is ever compared in JavaScript: tokens and codes are looked up by their hash in an indexed column
// (a timing difference there reveals a hash prefix, not the secret), and TOTP codes by otpauth's constant-time compare.
import { createCipheriv, createDecipheriv, createHmac, hash, hkdfSync, randomBytes, randomInt, randomUUID } from 'node:crypto';

export interface Secrets {
  /** Encrypts a UTF-8 string; `context` is bound as additional data so a sealed value cannot be moved. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /** HMAC-SHA-256 under a key derived from SECRET_KEY: for low-entropy codes that must not be brute-forced offline. */
  keyedHash(value: string): string;
}

const SEAL_VERSION = 'v1';

export function createSecrets(secretKey: Buffer): Secrets {
  const sealKey = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'twofold seal v1', 32));
  const hmacKey = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'twofold hmac v1', 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [SEAL_VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== SEAL_VERSION || !iv || !body || !tag) throw new Error('sealed value has an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    keyedHash(value) {
      return createHmac('sha256', hmacKey).update(value).digest('hex');
    },
  };
}

/** SHA-256 of a high-entropy token: enough for 256-bit random tokens, and fast on the hot path. */
export function hashToken(token: string): string {
  // One-shot hash: every session and code check hashes a token, and this skips building a Hash object (same hex).
  return hash('sha256', token, 'hex');
}

/** A 256-bit random token, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function randomId(): string {
  return randomUUID();
}

/** A new row that a bearer token finds: a random id and the hash of a fresh token. The token itself goes to its
 * holder once and is never stored. */
export function newTokenRow(): { token: string; id: string; token_hash: string } {
  const token = randomToken();
  return { token, id: randomId(), token_hash: hashToken(token) };
}

/** `length` decimal digits from the CSPRNG, zero-padded. */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** A string of `length` characters drawn uniformly from `alphabet`. */
export function randomFromAlphabet(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
