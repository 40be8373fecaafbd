// AES-GCM sealing for the vault: a non-extractable 256-bit key, a fresh 96-bit IV for every record, and
// additional data that binds a record to where it belongs (kind, origin, user), so a record copied to
// another origin or user does not open.
export interface Sealed {
  iv: Uint8Array;
  ciphertext: ArrayBuffer;
}

export interface Binding {
  kind: 'authenticator' | 'device-token';
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
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(binding) }, key, encoder.encode(plaintext));
  return { iv, ciphertext };
}

/** The plaintext, or null when the record was altered or is bound to another place. */
export async function openText(key: CryptoKey, sealed: Sealed, binding: Binding): Promise<string | null> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(sealed.iv), additionalData: additionalData(binding) }, key, sealed.ciphertext);
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
