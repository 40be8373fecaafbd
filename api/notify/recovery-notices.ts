// Tells the member and the issuing account's owners that a recovery code was used, and audits it.
import type { Deps } from '../deps.ts';
import { recordEvent } from '../records/audit.ts';
import { sendNotices } from './email.ts';
import type { SessionUser } from '../records/users.ts';

export async function ownerEmails(deps: Deps, accountId: string): Promise<string[]> {
  const rows = await deps
    .db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where({ 'm.account_id': accountId, 'm.role': 'owner' })
    .select('u.email');
  return rows.map((r: { email: string }) => r.email);
}

export async function notifyRecoveryCodeUsed(
  deps: Deps,
  user: SessionUser,
  used: { accountId: string; issuedBy: string },
  ip: string,
): Promise<void> {
  await recordEvent(deps.db, {
    type: 'recovery_code.used',
    at: deps.clock.now(),
    accountId: used.accountId,
    actorUserId: user.id,
    subjectUserId: user.id,
    ip,
    detail: { issuedBy: used.issuedBy },
  });
  await sendNotices(
    deps,
    [user.email, ...(await ownerEmails(deps, used.accountId))],
    'A Twofold recovery code was used',
    `The recovery code issued for ${user.name} <${user.email}> was used to sign in from ${ip}. If this was not expected, reset their two-factor authentication.`,
  );
}
