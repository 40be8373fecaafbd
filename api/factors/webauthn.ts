// WebAuthn ceremonies (security keys and passkeys) with @simplewebauthn/server: options for the browser, and
// the verification of what the key answered. The relying party is PUBLIC_URL (its host is the RP id, its origin
// the only accepted origin), never a request header. Every ceremony's challenge is kept server-side under a
// purpose that binds it to what asked for it (a login challenge, an enrolling session or setup challenge, a
// re-authentication) and is used once; a wrong answer is a value (null), never an exception.
import type {
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
  type CredentialRow,
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

/** What every answer must have been made for: this ceremony's challenge, Twofold's origin and RP id (user verification
 * is preferred, not required). */
function expected(config: Pick<Config, 'publicUrl'>, challenge: string) {
  const rp = relyingParty(config);
  return { expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false };
}

/** SimpleWebAuthn's verdict on an answer, or null: malformed, tampered, another origin or RP, another challenge, a bad
 * signature and a failed check are all the same refusal. */
async function verifiedOrNull<R extends { verified: boolean }>(verify: () => Promise<R>): Promise<(R & { verified: true }) | null> {
  try {
    const result = await verify();
    return result.verified ? (result as R & { verified: true }) : null;
  } catch {
    return null;
  }
}

/** A ceremony's options, made with the user's keys; its challenge is kept under `binding`. */
async function startCeremony<O extends { challenge: string }>(
  deps: Deps,
  binding: Binding,
  optionsFor: (library: typeof import('@simplewebauthn/server'), rp: RelyingParty, credentials: CredentialRow[]) => Promise<O>,
): Promise<O> {
  const rp = relyingParty(deps.config);
  const credentials = await listCredentials(deps.db, binding.userId);
  const options = await optionsFor(await simpleWebAuthn(), rp, credentials);
  await keep(deps, binding, options.challenge);
  return options;
}

/** Options to create a new credential: the user's existing keys are excluded, so one key is not added twice. */
export function startRegistration(
  deps: Deps,
  user: SessionUser,
  binding: Omit<Binding, 'userId'>,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return startCeremony(deps, { ...binding, userId: user.id }, (library, rp, existing) =>
    library.generateRegistrationOptions({
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
    }),
  );
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
  const result = await verifiedOrNull(async () =>
    (await simpleWebAuthn()).verifyRegistrationResponse({ response, ...expected(deps.config, challenge) }),
  );
  if (!result) return null;
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
export function startAssertion(
  deps: Deps,
  userId: string,
  binding: Omit<Binding, 'userId'>,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return startCeremony(deps, { ...binding, userId }, (library, rp, credentials) =>
    library.generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: credentials.map((c) => ({ id: c.id, transports: transportsOf(c) })),
      userVerification: 'preferred',
      timeout: BROWSER_TIMEOUT_MS,
    }),
  );
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
  const result = await verifiedOrNull(async () =>
    (await simpleWebAuthn()).verifyAuthenticationResponse({
      response,
      ...expected(deps.config, challenge),
      credential: {
        id: credential.id,
        publicKey: Buffer.from(credential.public_key, 'base64url'),
        counter: Number(credential.sign_count),
        transports: transportsOf(credential),
      },
    }),
  );
  if (!result) return null;
  const { newCounter, credentialBackedUp } = result.authenticationInfo;
  if (!(await recordCredentialUse(deps.db, credential, { signCount: newCounter, backedUp: credentialBackedUp, now }))) return null;
  return { credentialId: credential.id, name: credential.name };
}
