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
    case 'enforced_for_all': return 'it requires two-factor authentication for everyone';
    case 'enforced_for_admins': return 'it requires two-factor authentication for owners and admins';
    case 'required_for_member': return 'an administrator turned it on for you';
    default: return reason.replace(/_/g, ' ');
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
