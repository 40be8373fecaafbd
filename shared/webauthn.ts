// The JSON shapes of WebAuthn ceremonies (security keys and passkeys) as the browser sends them
// (`RegistrationResponseJSON`, `AuthenticationResponseJSON`), bounded so a hostile body cannot grow a field
// without limit, and the security-key list the API shows. The API validates with them; the web app imports the types.
import { z } from 'zod';

/** Base64url without padding, as WebAuthn's JSON serialisation writes binary fields. */
const base64url = (maxChars: number) =>
  z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]*$/, 'Expected base64url.');
/** A credential ID: at most 1023 bytes (WebAuthn level 3), so at most 1364 base64url characters. */
export const CredentialId = base64url(1364).min(1);

const attachment = z
  .enum(['platform', 'cross-platform'])
  .nullish()
  .transform((v) => v ?? undefined);
const extensionResults = z
  .record(z.string(), z.unknown())
  .optional()
  .transform((v) => v ?? {});

export const RegistrationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65536),
    authenticatorData: base64url(65536).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});

export const AuthenticationResponse = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(8192),
    signature: base64url(2048),
    userHandle: base64url(128)
      .nullish()
      .transform((v) => v ?? undefined),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;

export const KeyName = z.string().trim().min(1, 'Give the key a name.').max(64, 'Use at most 64 characters.');

export const RegisterKeyRequest = z.object({ name: KeyName, response: RegistrationResponse });
export const RenameKeyRequest = z.object({ name: KeyName });

export const SecurityKey = z.object({
  id: z.string().describe('The credential ID (base64url), as the browser reported it'),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type SecurityKey = z.infer<typeof SecurityKey>;

export const KeyAdded = z.object({
  id: z.string(),
  name: z.string(),
  backupCodes: z.array(z.string()).optional(),
  status: z.literal('authenticated').optional(),
  session: z.object({ token: z.string(), expiresAt: z.string() }).optional(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }).optional(),
});
export type KeyAdded = z.infer<typeof KeyAdded>;

/** `{options}`: PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON, passed to the browser as is. */
export const CeremonyOptions = z.object({ options: z.record(z.string(), z.unknown()) });
