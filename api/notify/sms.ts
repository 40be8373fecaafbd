// Phone numbers for SMS codes: E.164 validation with libphonenumber, masking with the real country code.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone } from '../../shared/masks.ts';
import { E164_PATTERN } from '../../shared/contract.ts';
import { ApiError } from '../errors.ts';

/** The E.164 form of a valid mobile-capable number, or 400 invalid_request. */
export function parseE164(phone: string, field = 'phone'): string {
  const parsed = E164_PATTERN.test(phone) ? parsePhoneNumberFromString(phone) : undefined;
  if (!parsed?.isValid()) throw new ApiError('invalid_request', 'Enter the number in international format, e.g. +61412345678.', { field });
  return parsed.number;
}

export function maskedPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return maskPhone(e164, parsed?.countryCallingCode);
}

/** The last line of a text that carries a code: `@host #123456`, so phones and browsers offer the code to that
 * site only (origin-bound one-time codes, WebOTP). The host is PUBLIC_URL's, never a request's. */
export function originBoundLine(publicUrl: string, code: string): string {
  return `@${new URL(publicUrl).hostname} #${code}`;
}
