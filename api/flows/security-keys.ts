// Security keys and passkeys as a second factor: adding one (a registration ceremony bound to the enrolling
// session or setup_required challenge), renaming and removing one, and starting the sign-in and re-authentication
// ceremonies. The checks of a key's signed answer at sign-in go through the one attempt guard (login.ts), like codes.
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { KeyAdded, SecurityKey } from '../../shared/webauthn.ts';
import type { Deps } from '../deps.ts';
import { ApiError, tooManyAttempts } from '../errors.ts';
import { setPreferredMethod, type SessionUser } from '../records/users.ts';
import type { LiveSession } from '../records/sessions.ts';
import { challengeMethods, findChallenge, isLive, reserveAttempt } from '../records/challenges.ts';
import { assertAllowed, finishEnrolment, type Enroller } from './enrolment.ts';
import { listEnabledMethods } from '../records/factors.ts';
import { removeMethod } from './my-two-factor.ts';
import { recordEvent } from '../records/audit.ts';
import type { RequestInfo } from './login.ts';
import { ceremonyPurpose, finishRegistration, startAssertion, startRegistration } from '../factors/webauthn.ts';
import {
  deleteCredentialUnlessLast,
  findCredential,
  insertCredential,
  publicKey,
  renameCredential,
} from '../records/webauthn-credentials.ts';

/** Who is adding a key: an enrolling user, with their session when they have one (for the fresh-proof rule). */
export interface KeyEnroller extends Enroller {
  session?: LiveSession;
}

const bindingOf = (who: KeyEnroller) =>
  who.setupChallenge
    ? { purpose: ceremonyPurpose.enrolBySetup(who.setupChallenge.id), until: who.setupChallenge.expires_at }
    : { purpose: ceremonyPurpose.enrolBySession(who.session!.id) };

/** Adding a method while 2FA is on needs a fresh proof (10 minutes), except through a live setup_required
 * challenge: whoever holds only a stolen session must not slip their own key in. */
async function assertFreshProof(deps: Deps, who: KeyEnroller): Promise<void> {
  if (who.setupChallenge) return;
  if (!who.session) throw new ApiError('unauthenticated');
  if ((await listEnabledMethods(deps.db, who.user.id)).length === 0) return;
  if (who.session.reauth_until <= deps.clock.now()) throw new ApiError('reauth_required');
}

export async function startAddingKey(deps: Deps, who: KeyEnroller, ip: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await assertAllowed(deps, who, 'webauthn', ip);
  await assertFreshProof(deps, who);
  return startRegistration(deps, who.user, bindingOf(who));
}

/** Verifies the new key's answer and saves it. The first key turns the method on (and becomes the preferred
 * method: it is the one that phishing cannot relay); the first method of all turns 2FA on, as for codes. */
export async function addKey(
  deps: Deps,
  who: KeyEnroller,
  input: { name: string; response: RegistrationResponseJSON },
  req: RequestInfo,
): Promise<{ body: KeyAdded; signedIn?: Awaited<ReturnType<typeof finishEnrolment>>['signedIn'] }> {
  await assertAllowed(deps, who, 'webauthn', req.ip);
  await assertFreshProof(deps, who);
  const { user } = who;
  if (who.setupChallenge && (await reserveAttempt(deps.db, who.setupChallenge, deps.clock.now())) === null) {
    throw tooManyAttempts(60, 'Too many attempts. Please sign in again.');
  }
  const credential = await finishRegistration(deps, user.id, bindingOf(who).purpose, input.response);
  if (!credential) {
    throw new ApiError('invalid_request', 'Your security key’s answer could not be verified. Start adding it again.', {
      field: 'response',
    });
  }
  const wasEnabled = (await listEnabledMethods(deps.db, user.id)).length > 0;
  const now = deps.clock.now();
  const saved = await insertCredential(deps.db, user.id, { ...credential, name: input.name }, now);
  if (!saved) throw new ApiError('conflict', 'This security key is already registered.');
  await recordEvent(deps.db, {
    type: 'webauthn.key_added',
    at: now,
    actorUserId: user.id,
    subjectUserId: user.id,
    ip: req.ip,
    detail: { credentialId: credential.id, name: input.name },
  });
  const added = { id: credential.id, name: input.name };
  if (!saved.methodTurnedOn && !who.setupChallenge) return { body: added };
  if (saved.methodTurnedOn) {
    await setPreferredMethod(deps.db, user.id, 'webauthn');
    user.preferred_method = 'webauthn';
  }
  const finished = await finishEnrolment(deps, who, 'webauthn', !wasEnabled, req);
  const { enabled: _enabled, ...rest } = finished.body;
  return { body: { ...added, ...rest }, signedIn: finished.signedIn };
}

export async function renameKey(deps: Deps, user: SessionUser, credentialId: string, name: string, ip: string): Promise<SecurityKey> {
  if (!(await renameCredential(deps.db, user.id, credentialId, name))) throw new ApiError('not_found', 'No such security key.');
  await recordEvent(deps.db, {
    type: 'webauthn.key_renamed',
    at: deps.clock.now(),
    actorUserId: user.id,
    subjectUserId: user.id,
    ip,
    detail: { credentialId, name },
  });
  return publicKey((await findCredential(deps.db, user.id, credentialId))!);
}

/** Removes one key. Removing the last one removes the method, under the same rules as any method (409 while an
 * account requires 2FA that the user's other methods do not satisfy). */
export async function removeKey(deps: Deps, user: SessionUser, credentialId: string, ip: string): Promise<void> {
  const key = await findCredential(deps.db, user.id, credentialId);
  if (!key) throw new ApiError('not_found', 'No such security key.');
  const outcome = await deleteCredentialUnlessLast(deps.db, user.id, credentialId);
  if (outcome === 'missing') throw new ApiError('not_found', 'No such security key.');
  if (outcome === 'last') await removeMethod(deps, user, 'webauthn', ip);
  await recordEvent(deps.db, {
    type: 'webauthn.key_removed',
    at: deps.clock.now(),
    actorUserId: user.id,
    subjectUserId: user.id,
    ip,
    detail: { credentialId, name: key.name },
  });
}

/** Options for signing in with a key, bound to the login challenge and expiring with it. */
export async function startSignInWithKey(deps: Deps, challengeId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await findChallenge(deps.db, challengeId);
  if (!challenge || !isLive(challenge, deps.clock.now())) throw new ApiError('challenge_expired');
  if (challenge.kind !== 'login' || !challengeMethods(challenge).includes('webauthn')) {
    throw new ApiError('invalid_request', 'This sign-in does not offer security keys.');
  }
  return startAssertion(deps, challenge.user_id, { purpose: ceremonyPurpose.login(challenge.id), until: challenge.expires_at });
}

/** Options for re-authenticating with a key, bound to the session. */
export async function startReauthWithKey(
  deps: Deps,
  user: SessionUser,
  session: LiveSession,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  if (!(await listEnabledMethods(deps.db, user.id)).includes('webauthn'))
    throw new ApiError('invalid_request', 'You have no security key.');
  return startAssertion(deps, user.id, { purpose: ceremonyPurpose.reauth(session.id) });
}
