// Words for the API's identifiers.
import type { EnrollableMethod, Method, Role } from '../shared/schemas.ts';

export const methodNames: Record<Method, string> = {
  totp: 'Authenticator app',
  sms: 'Text message',
  email: 'Email',
  webauthn: 'Security key or passkey',
  backup_code: 'Backup code',
  recovery_code: 'Recovery code',
};

export const methodDescriptions: Record<EnrollableMethod, string> = {
  totp: 'A 6-digit code from an app on your phone. Works offline; the most secure choice here.',
  sms: 'A code sent by text message to your mobile.',
  email: 'A code sent to your email address.',
  webauthn: 'Touch a security key, or use a passkey on your device. Fake sign-in pages can’t use it.',
};

export const roleNames: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export function reasonText(reason: string): string {
  switch (reason) {
    case 'enforced_for_all':
      return 'it requires two-factor authentication for everyone';
    case 'enforced_for_admins':
      return 'it requires two-factor authentication for owners and admins';
    case 'required_for_member':
      return 'an administrator turned it on for you';
    default:
      return reason.replace(/_/g, ' ');
  }
}

export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Why the session ended (the `reason` of a 401), said on the sign-in page. */
export function signedOutText(reason: string | null): string {
  switch (reason) {
    case 'signed_out':
      return 'You were signed out, here and in the Twofold dialer, because you signed out somewhere else. Sign in again to continue.';
    case '2fa_reset':
      return 'An administrator reset your two-factor authentication, which signed you out everywhere. Sign in again to set it up.';
    case '2fa_enabled':
      return 'Two-factor authentication was turned on for your account in another window, which ends your other sessions. Sign in again with your new method.';
    case 'ended':
      return 'This session was ended, from the list of places you are signed in or by a change to your account. Sign in again to continue.';
    case 'expired':
      return 'Your session expired. Sign in again to continue.';
    default:
      return 'You were signed out. Please sign in again.';
  }
}

/** What an account may do to a person who joins it (the invitation's `accountMay` codes), in plain words. */
export const accountMayWords: Record<string, string> = {
  require_2fa: 'require you to use two-factor authentication',
  change_role: 'change your role in the account',
  remove: 'remove you from the account',
  reset_2fa: 'reset your two-factor authentication, for example if you lose your phone',
  issue_recovery_code: 'give you a one-time recovery code that signs you in without your second step (owners only)',
};

export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
