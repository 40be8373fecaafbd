// The browser's side of security keys and passkeys (@simplewebauthn/browser): ask the key to register or to sign
// what the API sent, and say in plain words why it did not.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';

export const keysSupported = (): boolean => browserSupportsWebAuthn();

/** Options as the API sends them (`{options}`), handed to the browser unchanged. */
export type CeremonyOptions = { options: Record<string, unknown> };

export function createKey(answer: CeremonyOptions): Promise<RegistrationResponseJSON> {
  return startRegistration({ optionsJSON: answer.options as unknown as PublicKeyCredentialCreationOptionsJSON });
}

export function signWithKey(answer: CeremonyOptions): Promise<AuthenticationResponseJSON> {
  return startAuthentication({ optionsJSON: answer.options as unknown as PublicKeyCredentialRequestOptionsJSON });
}

/** True for a failure of the browser's ceremony (nothing reached the API). */
export function isCeremonyFailure(error: unknown): boolean {
  return (
    error instanceof WebAuthnError ||
    (error instanceof Error &&
      ['NotAllowedError', 'AbortError', 'InvalidStateError', 'SecurityError', 'NotSupportedError'].includes(error.name))
  );
}

export function describeCeremonyFailure(error: unknown): string {
  const code = error instanceof WebAuthnError ? error.code : null;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This security key is already added to your account.';
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || (error instanceof Error && error.name === 'SecurityError')) {
    return 'Security keys only work when Twofold is opened at its own address. Ask your administrator.';
  }
  return 'The security key did not answer, or the request was cancelled. Try again when you are ready to touch your key.';
}
