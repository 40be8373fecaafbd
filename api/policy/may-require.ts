// The policy's first question has a second home: the session lookup asks "could any of this user's accounts require
// 2FA of them?" in the same SQL query that reads the session, so most requests skip the full evaluation (policy.ts).
// Both renderings of that question live here, side by side; test/api/may-require.test.ts checks that they agree with
// each other, and with evaluatePolicy, on every membership and policy combination, on both engines.
// It is a superset of evaluatePolicy's `required`: IP exemptions and grace periods only ever remove a requirement.
import type { AccountPolicy, PolicyMembership } from './policy.ts';

export function mayRequire2fa(m: Pick<PolicyMembership, 'role' | 'require2fa'>, p: Pick<AccountPolicy, 'enforce'>): boolean {
  return m.require2fa || p.enforce === 'all' || (p.enforce === 'admins' && (m.role === 'owner' || m.role === 'admin'));
}

/** The same question over every membership of the session's user, as a SQL expression (`s` is the sessions row).
 * records/sessions.ts's lookup takes it as a parameter, so the records layer holds no policy of its own.
 * The account is read by its key per membership (every membership has one: a foreign key), not joined: PostgreSQL
 * planned the join as a scan of every account on each session check while the table was small or not yet analysed. */
export const MAY_REQUIRE_2FA_SQL = `exists (select 1 from memberships m where m.user_id = s.user_id and (m.require_2fa = true
  or exists (select 1 from accounts a where a.id = m.account_id and (a.enforce = 'all' or (a.enforce = 'admins' and m.role in ('owner', 'admin'))))))`;
