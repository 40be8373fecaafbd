// A software WebAuthn authenticator for the API tests: ES256 (P-256) keys, `none` attestation, and the
// registration and authentication responses a browser would send (RegistrationResponseJSON,
// AuthenticationResponseJSON). Each answer can be bent the way an attacker would: another origin or RP id, a
// tampered signature, a chosen signature counter, another challenge.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The little CBOR that attestation objects and COSE keys need: integers, strings, bytes, arrays, maps. */
export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const s = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, s.length), s]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)])]);
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftKey {
  credentialId: Buffer;
  id: string;
  privateKey: KeyObject;
  cosePublicKey: Buffer;
  signCount: number;
}

export interface Bend {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  /** The signature counter to report (default: one more than last time). */
  signCount?: number;
  /** Flip a bit of the signature. */
  tamperSignature?: boolean;
  /** Report that the user was not present. */
  noUserPresence?: boolean;
}

function newKey(signCount: number): SoftKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = encodeCbor(
    new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  const credentialId = randomBytes(32);
  return { credentialId, id: b64url(credentialId), privateKey, cosePublicKey: cose, signCount };
}

export class SoftAuthenticator {
  readonly keys: SoftKey[] = [];
  constructor(
    readonly origin: string,
    readonly rpId = new URL(origin).hostname,
  ) {}

  private authData(rpId: string, flags: number, signCount: number, attested?: SoftKey): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    const parts: Uint8Array[] = [sha256(rpId), Buffer.from([flags]), counter];
    if (attested) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(attested.credentialId.length);
      parts.push(Buffer.alloc(16), len, attested.credentialId, attested.cosePublicKey);
    }
    return Buffer.concat(parts);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** Answers `navigator.credentials.create()` for these options: a new ES256 key (or `again`, one it made before),
   * `none` attestation. */
  register(options: { challenge: string }, bend: Bend = {}, again?: SoftKey) {
    const key = again ?? newKey(bend.signCount ?? 0);
    const authData = this.authData(bend.rpId ?? this.rpId, FLAG_UP | FLAG_UV | FLAG_AT, key.signCount, key);
    const attestationObject = encodeCbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = this.clientData(bend.type ?? 'webauthn.create', bend.challenge ?? options.challenge, bend.origin ?? this.origin);
    if (!again) this.keys.push(key);
    return {
      key,
      response: {
        id: key.id,
        rawId: key.id,
        type: 'public-key',
        response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      },
    };
  }

  /** Answers `navigator.credentials.get()` for these options with `key` (default: the first one it allows). */
  assert(options: { challenge: string; allowCredentials?: { id: string }[] }, key?: SoftKey, bend: Bend = {}) {
    const signer = key ?? this.keys.find((k) => options.allowCredentials?.some((c) => c.id === k.id));
    if (!signer) throw new Error('this authenticator holds none of the allowed credentials');
    signer.signCount = bend.signCount ?? signer.signCount + 1;
    const authData = this.authData(bend.rpId ?? this.rpId, bend.noUserPresence ? FLAG_UV : FLAG_UP | FLAG_UV, signer.signCount);
    const clientDataJSON = this.clientData(bend.type ?? 'webauthn.get', bend.challenge ?? options.challenge, bend.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), signer.privateKey);
    if (bend.tamperSignature) signature[signature.length - 2] = signature[signature.length - 2]! ^ 0x01;
    return {
      id: signer.id,
      rawId: signer.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {},
    };
  }
}
