// Security keys and passkeys (WebAuthn): add, list (in GET /me/2fa), rename, remove; the sign-in and
// re-authentication ceremonies' options. Thin: validate -> security-keys.ts.
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import * as w from '../../../shared/webauthn.ts';
import type { Deps } from '../../deps.ts';
import { route, type AppContext } from '../route.ts';
import { ChallengeParams } from '../params.ts';
import {
  addKey,
  removeKey,
  renameKey,
  startAddingKey,
  startReauthWithKey,
  startSignInWithKey,
  type KeyEnroller,
} from '../../flows/security-keys.ts';
import { answerSignedIn, requestInfo } from './auth.ts';

/** A key's credential id (base64url, as long as the column allows), from `GET /me/2fa`. */
const KeyParams = z.object({ credentialId: z.string().min(1).max(1400).describe("The key's `id` in `GET /me/2fa`") });

const enroller = (ctx: AppContext): KeyEnroller => ({
  user: ctx.state.user!,
  sessionId: ctx.state.session?.id,
  session: ctx.state.session,
  setupChallenge: ctx.state.setupChallenge,
});

export function webauthnRoutes(deps: Deps) {
  return [
    route({
      method: 'post',
      path: '/me/2fa/webauthn/options',
      tag: 'me',
      access: 'enrolment',
      response: w.CeremonyOptions,
      summary: 'Start adding a security key or passkey',
      description:
        "`options` is a PublicKeyCredentialCreationOptionsJSON for `navigator.credentials.create()` (the user's keys are excluded). Its challenge is bound to this session or setup_required challenge, used once, and lives 5 minutes. While 2FA is on, needs re-authentication within 10 minutes (`403 reauth_required`), except through a setup_required challenge.",
      handler: async (ctx) => {
        ctx.body = { options: await startAddingKey(deps, enroller(ctx), ctx.state.ip) };
      },
    }),
    route({
      method: 'post',
      path: '/me/2fa/webauthn',
      tag: 'me',
      access: 'enrolment',
      status: 201,
      body: w.RegisterKeyRequest,
      response: w.KeyAdded,
      summary: 'Add the security key: its registration response and a name',
      description:
        "The relying party is PUBLIC_URL (its host the RP id, its origin the only origin). An answer that does not verify is `400 invalid_request`; a key already registered is `409 conflict`. The first key turns the method on and makes it the preferred one; the first method of all returns the 10 backup codes and ends the user's other sessions; during setup_required (bearer = challengeId) it also signs the user in.",
      handler: async (ctx, { body }) => {
        const result = await addKey(
          deps,
          enroller(ctx),
          { name: body.name, response: body.response as RegistrationResponseJSON },
          requestInfo(ctx),
        );
        if (result.signedIn) answerSignedIn(ctx, result.signedIn, 201);
        ctx.body = result.body;
      },
    }),
    route({
      method: 'put',
      path: '/me/2fa/webauthn/:credentialId',
      tag: 'me',
      access: 'session',
      params: KeyParams,
      body: w.RenameKeyRequest,
      response: w.SecurityKey,
      summary: 'Rename a security key',
      handler: async (ctx, { body, params }) => {
        ctx.body = await renameKey(deps, ctx.state.user!, params.credentialId, body.name, ctx.state.ip);
      },
    }),
    route({
      method: 'delete',
      path: '/me/2fa/webauthn/:credentialId',
      tag: 'me',
      access: 'session',
      reauth: true,
      status: 204,
      params: KeyParams,
      summary: 'Remove a security key',
      description:
        'Removing the last key removes the method: `409 2fa_required_by_account` when an account requires 2FA that the other methods do not satisfy.',
      handler: async (ctx, { params }) => {
        await removeKey(deps, ctx.state.user!, params.credentialId, ctx.state.ip);
      },
    }),
    route({
      method: 'post',
      path: '/auth/challenge/:challengeId/webauthn-options',
      tag: 'auth',
      access: 'public',
      params: ChallengeParams,
      response: w.CeremonyOptions,
      summary: 'Start signing in with a security key',
      description:
        '`options` is a PublicKeyCredentialRequestOptionsJSON for `navigator.credentials.get()`, listing the user\'s keys. Its challenge is bound to this login challenge, expires with it and is used once; the answer goes to `…/verify` as `{method:"webauthn", response}`, where a wrong, tampered or replayed answer or a signature counter that went back counts as a wrong code.',
      handler: async (ctx, { params }) => {
        ctx.body = { options: await startSignInWithKey(deps, params.challengeId) };
      },
    }),
    route({
      method: 'post',
      path: '/auth/reauth/webauthn-options',
      tag: 'auth',
      access: 'signedIn',
      response: w.CeremonyOptions,
      summary: 'Start re-authenticating with a security key',
      description: 'The answer goes to `POST /auth/reauth` as `{method:"webauthn", response}`; it counts towards the lockout like a code.',
      handler: async (ctx) => {
        ctx.body = { options: await startReauthWithKey(deps, ctx.state.user!, ctx.state.session!) };
      },
    }),
  ];
}
