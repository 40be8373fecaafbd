// The audit log: every security event with actor, subject, address and time; never a secret in `detail`.
// An account sees the events that happened in it, and the user-level events (account_id null: lockouts, 2FA
// changes) of the members it manages, from the time they joined; never another account's events (contract v1.1).
import type { AuditEvent } from '../../shared/schemas.ts';
import { iso, type Db } from '../db/db.ts';

export type AuditType =
  | '2fa.enabled'
  | '2fa.disabled'
  | '2fa.method_added'
  | '2fa.method_removed'
  | '2fa.preferred_changed'
  | 'backup_codes.regenerated'
  | 'backup_codes.used'
  | 'backup_codes.revealed'
  | 'login.locked_out'
  | 'login.succeeded'
  | 'login.password_failed'
  | 'login.password_throttled'
  | 'code_send.refused'
  | 'device.trusted'
  | 'device.forgotten'
  | 'devices.forgotten_all'
  | 'policy.changed'
  | 'policy.change_requested'
  | 'policy.confirmed'
  | 'member.added'
  | 'member.invited'
  | 'member.role_changed'
  | 'member.removed'
  | 'member.require_2fa_changed'
  | 'member.2fa_reset'
  | 'invitation.accepted'
  | 'invitation.revoked'
  | 'invitation.resent'
  | 'email.verified'
  | 'user.replaced_unverified'
  | 'recovery_code.issued'
  | 'recovery_code.used'
  | 'ip_rules.changed'
  | 'api_key.created'
  | 'api_key.deleted'
  | 'api_key.refused_address'
  | '2fa.grace_granted'
  | '2fa.grace_expired'
  | 'backup_codes.low'
  | 'webauthn.key_added'
  | 'webauthn.key_used'
  | 'webauthn.key_renamed'
  | 'webauthn.key_removed';

export interface AuditInput {
  type: AuditType;
  at: number;
  accountId?: string | null;
  actorUserId?: string | null;
  subjectUserId?: string | null;
  ip?: string | null;
  detail?: Record<string, string | number | boolean | null | string[]>;
}

export async function recordEvent(db: Db, e: AuditInput): Promise<void> {
  await db('audit_events').insert({
    at: e.at,
    account_id: e.accountId ?? null,
    actor_user_id: e.actorUserId ?? null,
    subject_user_id: e.subjectUserId ?? null,
    type: e.type,
    ip: e.ip ?? null,
    detail: JSON.stringify(e.detail ?? {}),
  });
}

interface AuditRow {
  id: number;
  at: number;
  account_id: string | null;
  actor_user_id: string | null;
  subject_user_id: string | null;
  type: string;
  ip: string | null;
  detail: string;
}

/** Events of an account, newest first: its own, and the user-level events of the members it manages since they joined. */
export async function listAccountEvents(
  db: Db,
  accountId: string,
  options: { cursor?: number; limit: number; type?: string; userId?: string },
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  const q = db<AuditRow>('audit_events').where((w) => {
    w.where('account_id', accountId).orWhere((u) =>
      u
        .whereNull('account_id')
        .whereExists(
          db('memberships as m')
            .join('users as mu', 'mu.id', 'm.user_id')
            .select(db.raw('1'))
            .where('m.account_id', accountId)
            .where('mu.managed_by_account_id', accountId)
            .whereRaw('m.user_id = audit_events.subject_user_id')
            .whereRaw('audit_events.at >= m.created_at'),
        ),
    );
  });
  if (options.cursor) q.where('id', '<', options.cursor);
  if (options.type) q.where('type', 'like', `${options.type}%`);
  if (options.userId) q.where((w) => w.where('subject_user_id', options.userId!).orWhere('actor_user_id', options.userId!));
  const rows = await q.orderBy('id', 'desc').limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return {
    events: page.map((r) => ({
      id: String(r.id),
      at: iso(r.at),
      actorUserId: r.actor_user_id,
      subjectUserId: r.subject_user_id,
      type: r.type,
      ip: r.ip,
      detail: JSON.parse(r.detail),
    })),
    nextCursor: rows.length > options.limit ? String(page[page.length - 1]!.id) : null,
  };
}
