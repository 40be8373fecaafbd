// The audit log in words: every event type the API records, its label in the filter, and the sentence a
// person reads ("Grace Hopper required 2FA of Alan Turing"). Unknown types still read as words.
import type { AuditEvent } from '../../../shared/schemas.ts';
import { methodNames, roleNames } from '../../labels.ts';

interface Said {
  actor: string;
  subject: string;
  detail: Record<string, unknown>;
  ip: string | null;
}
interface EventKind {
  group: string;
  label: string;
  say(s: Said): string;
}

const method = (d: Record<string, unknown>) => methodNames[d.method as keyof typeof methodNames]?.toLowerCase() ?? 'a method';
const quoted = (value: unknown) => (typeof value === 'string' && value ? `“${value}”` : '');

export const eventKinds: Record<string, EventKind> = {
  'login.succeeded': { group: 'Sign-in', label: 'Signed in', say: (s) => `${s.subject} signed in` },
  'login.password_failed': { group: 'Sign-in', label: 'Wrong password', say: (s) => `Someone entered a wrong password for ${s.subject}` },
  'login.locked_out': {
    group: 'Sign-in',
    label: 'Locked out after wrong codes',
    say: (s) =>
      `${s.subject} was locked out of code entry${typeof s.detail.minutes === 'number' ? ` for ${s.detail.minutes} minutes` : ''} after too many wrong codes`,
  },
  'backup_codes.used': {
    group: 'Sign-in',
    label: 'Backup code used',
    say: (s) => `${s.subject} signed in with a backup code${typeof s.detail.remaining === 'number' ? ` (${s.detail.remaining} left)` : ''}`,
  },
  'recovery_code.used': { group: 'Sign-in', label: 'Recovery code used', say: (s) => `${s.subject} signed in with a recovery code` },
  'email.verified': { group: 'Sign-in', label: 'Email verified', say: (s) => `${s.subject} verified their email address` },
  'device.trusted': {
    group: 'Sign-in',
    label: 'Device remembered',
    say: (s) => `${s.subject} chose to remember a device${typeof s.detail.days === 'number' ? ` for ${s.detail.days} days` : ''}`,
  },
  '2fa.enabled': {
    group: 'Two-factor settings',
    label: 'Two-factor turned on',
    say: (s) => `${s.subject} turned on two-factor authentication${s.detail.method ? ` with ${method(s.detail)}` : ''}`,
  },
  '2fa.disabled': {
    group: 'Two-factor settings',
    label: 'Two-factor turned off',
    say: (s) => `${s.subject} turned off two-factor authentication`,
  },
  '2fa.method_added': { group: 'Two-factor settings', label: 'Method added', say: (s) => `${s.subject} added ${method(s.detail)}` },
  '2fa.method_removed': { group: 'Two-factor settings', label: 'Method removed', say: (s) => `${s.subject} removed ${method(s.detail)}` },
  '2fa.preferred_changed': {
    group: 'Two-factor settings',
    label: 'Preferred method changed',
    say: (s) => `${s.subject} made ${method(s.detail)} their preferred method`,
  },
  'backup_codes.regenerated': {
    group: 'Two-factor settings',
    label: 'New backup codes',
    say: (s) => `${s.subject} created new backup codes`,
  },
  'backup_codes.revealed': {
    group: 'Two-factor settings',
    label: 'Backup codes viewed',
    say: (s) => `${s.subject} viewed their backup codes`,
  },
  'device.forgotten': { group: 'Two-factor settings', label: 'Device forgotten', say: (s) => `${s.subject} forgot a remembered device` },
  'devices.forgotten_all': {
    group: 'Two-factor settings',
    label: 'All devices forgotten',
    say: (s) => `${s.subject} forgot every remembered device`,
  },
  'member.invited': {
    group: 'Members',
    label: 'Invited',
    say: (s) =>
      `${s.actor} invited ${typeof s.detail.email === 'string' ? s.detail.email : s.subject}${typeof s.detail.role === 'string' ? ` as ${roleWord(s.detail.role)}` : ''}`,
  },
  'invitation.resent': {
    group: 'Members',
    label: 'Invitation sent again',
    say: (s) => `${s.actor} sent the invitation to ${typeof s.detail.email === 'string' ? s.detail.email : 'someone'} again`,
  },
  'invitation.revoked': {
    group: 'Members',
    label: 'Invitation withdrawn',
    say: (s) => `${s.actor} withdrew the invitation to ${typeof s.detail.email === 'string' ? s.detail.email : 'someone'}`,
  },
  'invitation.accepted': {
    group: 'Members',
    label: 'Invitation accepted',
    say: (s) =>
      `${s.subject} accepted the invitation${typeof s.detail.role === 'string' ? ` and joined as ${roleWord(s.detail.role)}` : ''}${s.detail.managed === true ? ' (a new Twofold sign-in, managed by this account)' : s.detail.managed === false ? ' with their own Twofold sign-in' : ''}`,
  },
  'user.replaced_unverified': {
    group: 'Members',
    label: 'Unverified sign-up replaced',
    say: () => 'An unverified sign-up holding the invited address was replaced by the person who accepted the invitation',
  },
  'member.added': {
    group: 'Members',
    label: 'Joined',
    say: (s) => `${s.subject} joined the account${typeof s.detail.role === 'string' ? ` as ${roleWord(s.detail.role)}` : ''}`,
  },
  'member.role_changed': {
    group: 'Members',
    label: 'Role changed',
    say: (s) => `${s.actor} made ${s.subject} ${typeof s.detail.role === 'string' ? roleWord(s.detail.role) : 'a new role'}`,
  },
  'member.removed': { group: 'Members', label: 'Removed', say: (s) => `${s.actor} removed ${s.subject} from the account` },
  'member.require_2fa_changed': {
    group: 'Members',
    label: '2FA required of a member',
    say: (s) =>
      s.detail.require2fa === false ? `${s.actor} stopped requiring 2FA of ${s.subject}` : `${s.actor} required 2FA of ${s.subject}`,
  },
  'member.2fa_reset': {
    group: 'Members',
    label: 'Member’s 2FA reset',
    say: (s) => `${s.actor} reset the two-factor authentication of ${s.subject}`,
  },
  'recovery_code.issued': {
    group: 'Members',
    label: 'Recovery code given',
    say: (s) => `${s.actor} gave ${s.subject} a one-time recovery code`,
  },
  'policy.changed': { group: 'Account settings', label: '2FA policy changed', say: (s) => `${s.actor} changed the two-factor policy` },
  'policy.change_requested': {
    group: 'Account settings',
    label: 'Looser policy asked for',
    say: (s) => `${s.actor} asked to loosen the two-factor policy (waiting for the emailed code)`,
  },
  'policy.confirmed': {
    group: 'Account settings',
    label: 'Looser policy confirmed',
    say: (s) => `${s.actor} confirmed the looser two-factor policy with the emailed code`,
  },
  'ip_rules.changed': { group: 'Account settings', label: 'IP rules changed', say: (s) => `${s.actor} changed the IP rules for API keys` },
  'api_key.created': {
    group: 'API keys',
    label: 'API key created',
    say: (s) => `${s.actor} created the API key ${quoted(s.detail.name)}`.trim(),
  },
  'api_key.deleted': {
    group: 'API keys',
    label: 'API key revoked',
    say: (s) => `${s.actor} revoked the API key ${quoted(s.detail.name)}`.trim(),
  },
  'api_key.refused_address': {
    group: 'API keys',
    label: 'API key refused',
    say: (s) => `An API key was refused: ${s.ip ?? 'its address'} is outside the IP rules`,
  },
};

function roleWord(role: string): string {
  const name = roleNames[role as keyof typeof roleNames]?.toLowerCase() ?? role;
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** "member.invitation_revoked" → "Member invitation revoked": for types this page does not know yet. */
export function typeWords(type: string): string {
  const words = type.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function eventLabel(type: string): string {
  return eventKinds[type]?.label ?? typeWords(type);
}

/** The sentence for an event; `nameOf` turns user ids into names. */
export function describeEvent(event: AuditEvent, nameOf: (id: string | null) => string | null): string {
  const actor = nameOf(event.actorUserId) ?? (event.actorUserId ? 'A former member' : 'Twofold');
  const subject = nameOf(event.subjectUserId) ?? (event.subjectUserId ? 'a former member' : 'someone');
  const kind = eventKinds[event.type];
  if (!kind) return event.actorUserId ? `${actor}: ${typeWords(event.type).toLowerCase()}` : typeWords(event.type);
  const sentence = kind.say({ actor, subject, detail: event.detail, ip: event.ip });
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The event's detail as label–value pairs in words ("Backup codes: 7"). */
export function detailLines(detail: Record<string, unknown>): [string, string][] {
  return Object.entries(detail).map(([key, value]) => [keyWords(key), valueWords(key, value)]);
}

function keyWords(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueWords(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.length ? value.map((v) => valueWords(key, v)).join(', ') : 'none';
  if (typeof value === 'string' && /method/i.test(key) && value in methodNames) return methodNames[value as keyof typeof methodNames];
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The filter's options: every known type, grouped, whatever the current page holds. */
export function eventGroups(): { group: string; types: { type: string; label: string }[] }[] {
  const groups = new Map<string, { type: string; label: string }[]>();
  for (const [type, kind] of Object.entries(eventKinds))
    groups.set(kind.group, [...(groups.get(kind.group) ?? []), { type, label: kind.label }]);
  return [...groups].map(([group, types]) => ({ group, types }));
}

/** A revoked key's event names only its id: take the name from its creation, when that is among `events`. */
export function withKeyNames(events: AuditEvent[]): AuditEvent[] {
  const names = new Map(
    events
      .filter((e) => e.type === 'api_key.created' && typeof e.detail.name === 'string')
      .map((e) => [e.detail.apiKeyId, e.detail.name as string]),
  );
  return events.map((e) =>
    e.type === 'api_key.deleted' && e.detail.name === undefined && names.has(e.detail.apiKeyId)
      ? { ...e, detail: { ...e.detail, name: names.get(e.detail.apiKeyId) } }
      : e,
  );
}
