// Phone numbers for SMS codes: E.164 validation with libphonenumber, masking with the real country code, the country
// calling code the send caps count by. The one module that reads libphonenumber.
import { createRequire } from 'node:module';
import type { PhoneNumber } from 'libphonenumber-js/max';
import { maskPhone } from '../../shared/masks.ts';
import { E164_PATTERN } from '../../shared/contract.ts';
import { ApiError } from '../errors.ts';

type Parse = (text: string) => PhoneNumber | undefined;
let parse: Parse | undefined;

/** libphonenumber with its full metadata is loaded by the first number the process reads, not at start: it was 93 of
 * the modules the server loaded at start, 2.2 MB of V8's heap and 3-9 MB of the server's RSS under load
 * (bench/README.md), and a deployment whose users never set a phone never needs it. Loaded with require, so the
 * functions below stay synchronous. */
function parsePhone(text: string): PhoneNumber | undefined {
  parse ??= (createRequire(import.meta.url)('libphonenumber-js/max') as { parsePhoneNumberFromString: Parse }).parsePhoneNumberFromString;
  return parse(text);
}

/** The E.164 form of a valid mobile-capable number, or 400 invalid_request. */
export function parseE164(phone: string, field = 'phone'): string {
  const parsed = E164_PATTERN.test(phone) ? parsePhone(phone) : undefined;
  if (!parsed?.isValid()) throw new ApiError('invalid_request', 'Enter the number in international format, e.g. +61412345678.', { field });
  return parsed.number;
}

export function maskedPhone(e164: string): string {
  return maskPhone(e164, phoneCountryCode(e164) ?? undefined);
}

/** The country calling code of a stored number (`61`), or null when libphonenumber cannot tell. */
export function phoneCountryCode(e164: string): string | null {
  return parsePhone(e164)?.countryCallingCode ?? null;
}

/** The last line of a text that carries a code: `@host #123456`, so phones and browsers offer the code to that
 * site only (origin-bound one-time codes, WebOTP). The host is PUBLIC_URL's, never a request's. */
export function originBoundLine(publicUrl: string, code: string): string {
  return `@${new URL(publicUrl).hostname} #${code}`;
}
