// WebAuthn ceremonies (security keys and passkeys) with @simplewebauthn/server: options for the browser, and
// the verification of what the key answered. The relying party is PUBLIC_URL (its host is the RP id, its origin
// the only accepted origin), never a request header. Every ceremony's challenge is kept server-side under a
// purpose that binds it to what asked for it (a login challenge, an enrolling session or setup challenge, a
// re-authentication) and is used once; a wrong answer is a value (null), never an exception.
import type {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import type { SessionUser } from '../records/users.ts';
import {
  consumeCeremonyChallenge,
  findCredential,
  listCredentials,
  recordCredentialUse,
  saveCeremonyChallenge,
  transportsOf,
  type NewCredential,
} from '../records/webauthn-credentials.ts';

/** @simplewebauthn/server (about 300 ms and 25 MB to load) is loaded by the first ceremony, not at start-up. */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const simpleWebAuthn = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

/** How long a ceremony's challenge waits for the key (never past what it is bound to). */
export const CEREMONY_TTL_MS = 5 * 60_000;
/** How long the browser lets the person touch their key. */
const BROWSER_TIMEOUT_MS = 2 * 60_000;

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingParty(config: Pick<Config, 'publicUrl'>): RelyingParty {
  const url = new URL(config.publicUrl);
  return { id: url.hostname, origin: url.origin, name: 'Twofold' };
}

/** Purposes: what a ceremony's challenge is bound to. */
export const ceremonyPurpose = {
  login: (challengeRowId: string) => `challenge:${challengeRowId}:webauthn`,
  enrolBySession: (sessionId: string) => `enroll:session:${sessionId}`,
  enrolBySetup: (challengeRowId: string) => `enroll:setup:${challengeRowId}`,
  reauth: (sessionId: string) => `reauth:${sessionId}:webauthn`,
};

interface Binding {
  userId: string;
  purpose: string /** The end of what the ceremony is bound to (a challenge's expiry). */;
  until?: number;
}

async function keep(deps: Deps, binding: Binding, challenge: string): Promise<void> {
  const now = deps.clock.now();
  await saveCeremonyChallenge(deps.db, {
    userId: binding.userId,
    purpose: binding.purpose,
    challenge,
    now,
    expiresAt: Math.min(now + CEREMONY_TTL_MS, binding.until ?? Infinity),
  });
}

/** Options to create a new credential: the user's existing keys are excluded, so one key is not added twice. */
export async function startRegistration(
  deps: Deps,
  user: SessionUser,
  binding: Omit<Binding, 'userId'>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty(deps.config);
  const existing = await listCredentials(deps.db, user.id);
  const options = await (await simpleWebAuthn()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    // A stable handle, so an authenticator keeps one passkey per Twofold user; a random id, not personal data.
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    timeout: BROWSER_TIMEOUT_MS,
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: transportsOf(c) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await keep(deps, { ...binding, userId: user.id }, options.challenge);
  return options;
}

/** Verifies a registration answer against the ceremony bound to `purpose` (taken once); the credential to save, or null. */
export async function finishRegistration(
  deps: Deps,
  userId: string,
  purpose: string,
  response: RegistrationResponseJSON,
): Promise<Omit<NewCredential, 'name'> | null> {
  const challenge = await consumeCeremonyChallenge(deps.db, userId, purpose, deps.clock.now());
  if (!challenge) return null;
  const rp = relyingParty(deps.config);
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await (await simpleWebAuthn()).verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    return null; // malformed, tampered, another origin or RP, another challenge: all the same refusal
  }
  if (!result.verified) return null;
  const info = result.registrationInfo;
  return {
    // From the signed authenticator data, not from the JSON's `id`.
    id: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    transports: (info.credential.transports ?? response.response.transports ?? []).slice(0, 10),
    aaguid: info.aaguid,
    backedUp: info.credentialBackedUp,
  };
}

/** Options to sign in with one of the user's keys. */
export async function startAssertion(
  deps: Deps,
  userId: string,
  binding: Omit<Binding, 'userId'>,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = relyingParty(deps.config);
  const credentials = await listCredentials(deps.db, userId);
  const options = await (await simpleWebAuthn()).generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: credentials.map((c) => ({ id: c.id, transports: transportsOf(c) })),
    userVerification: 'preferred',
    timeout: BROWSER_TIMEOUT_MS,
  });
  await keep(deps, { ...binding, userId }, options.challenge);
  return options;
}

export interface AssertionProof {
  credentialId: string;
  name: string;
}

/** Verifies a key's signed answer for the ceremony bound to `purpose`. Null for any wrong answer: no ceremony (or
 * one already answered: a replay), a credential that is not this user's, a bad signature, another origin or RP id,
 * or a signature counter that did not move forward (a cloned key). */
export async function verifyAssertion(
  deps: Deps,
  userId: string,
  purpose: string,
  response: AuthenticationResponseJSON,
): Promise<AssertionProof | null> {
  const now = deps.clock.now();
  const challenge = await consumeCeremonyChallenge(deps.db, userId, purpose, now);
  if (!challenge) return null;
  const credential = await findCredential(deps.db, userId, response.id);
  if (!credential) return null;
  const rp = relyingParty(deps.config);
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await (await simpleWebAuthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      credential: {
        id: credential.id,
        publicKey: Buffer.from(credential.public_key, 'base64url'),
        counter: Number(credential.sign_count),
        transports: transportsOf(credential),
      },
    });
  } catch {
    return null;
  }
  if (!result.verified) return null;
  const { newCounter, credentialBackedUp } = result.authenticationInfo;
  if (!(await recordCredentialUse(deps.db, credential, { signCount: newCounter, backedUp: credentialBackedUp, now }))) return null;
  return { credentialId: credential.id, name: credential.name };
}
