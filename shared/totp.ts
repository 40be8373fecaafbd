// TOTP (RFC 6238) and the Key URI Format, on otpauth. Used by the API (verify), the extension (generate,
// parse a kept authenticator) and the tests. Time is always a parameter.
import { HOTP, Secret, TOTP, URI } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW_STEPS = 1;
export const TOTP_SECRET_BYTES = 20; // 160 bits
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export function generateTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

export function totpStep(timestampMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(timestampMs / 1000 / periodSeconds);
}

export function generateTotp(
  secretBase32: string,
  timestampMs: number,
  options: { algorithm?: TotpAlgorithm; digits?: number; periodSeconds?: number } = {},
): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: options.algorithm ?? 'SHA1',
    digits: options.digits ?? TOTP_DIGITS,
    period: options.periodSeconds ?? TOTP_PERIOD_SECONDS,
    timestamp: timestampMs,
  });
}

export function generateHotp(secret: Secret, counter: number, options: { algorithm?: TotpAlgorithm; digits?: number } = {}): string {
  return HOTP.generate({ secret, counter, algorithm: options.algorithm ?? 'SHA1', digits: options.digits ?? TOTP_DIGITS });
}

/** The step a 6-digit code belongs to, within ±1 step of `timestampMs`; null when it matches none. */
export function verifyTotpStep(secretBase32: string, code: string, timestampMs: number): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: timestampMs,
    window: TOTP_WINDOW_STEPS,
  });
  return delta === null ? null : totpStep(timestampMs) + delta;
}

/** otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30 */
export function buildOtpauthUri(input: { secretBase32: string; issuer: string; accountName: string }): string {
  return new TOTP({
    issuer: input.issuer,
    label: input.accountName,
    issuerInLabel: true,
    secret: Secret.fromBase32(input.secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

export interface ParsedAuthenticator {
  secretBase32: string;
  issuer: string;
  accountName: string;
  algorithm: TotpAlgorithm;
  digits: number;
  periodSeconds: number;
}

/** Parses an otpauth:// URI strictly; anything unusual (HOTP, odd digits or periods, tiny or huge secrets,
 * control characters, over-long labels) is refused with an Error rather than kept. */
export function parseOtpauthUri(uri: string): ParsedAuthenticator {
  if (typeof uri !== 'string' || uri.length > 2048 || !uri.startsWith('otpauth://totp/')) throw new Error('not an otpauth://totp/ URI');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point of this check
  if (/[\u0000-\u001f\u007f]/.test(decodeURIComponent(uri))) throw new Error('control characters in the URI');
  const parsed = URI.parse(uri);
  if (!(parsed instanceof TOTP)) throw new Error('only TOTP is supported');
  const secretBase32 = parsed.secret.base32;
  if (parsed.secret.bytes.length < 10 || parsed.secret.bytes.length > 128) throw new Error('the secret must be 80 to 1024 bits');
  if (![6, 8].includes(parsed.digits)) throw new Error('digits must be 6 or 8');
  if (![30, 60].includes(parsed.period)) throw new Error('period must be 30 or 60 seconds');
  if (!['SHA1', 'SHA256', 'SHA512'].includes(parsed.algorithm)) throw new Error('unsupported algorithm');
  if (parsed.label.length > 200 || parsed.issuer.length > 100) throw new Error('label or issuer too long');
  return {
    secretBase32,
    issuer: parsed.issuer,
    accountName: parsed.label,
    algorithm: parsed.algorithm as TotpAlgorithm,
    digits: parsed.digits,
    periodSeconds: parsed.period,
  };
}
