// Grace periods as accounts and people see them: each member's due date in the members list and the policy preview,
// the date in setup emails, and the audit events (grace granted, grace expired at a login). The rules themselves
// are pure and live in setup-due.ts.
import type { Deps } from '../deps.ts';
import type { AccountRow } from '../records/accounts.ts';
import { findAccount, findMembership } from '../records/accounts.ts';
import { iso, toBool } from '../db/db.ts';
import { recordEvent } from '../records/audit.ts';
import { sendNotice } from '../notify/email.ts';
import { listEnabledMethods } from '../records/factors.ts';
import { accountPolicy, type LoadedRequirement } from '../policy/requirement.ts';
import type { AccountPolicy } from '../policy/policy.ts';
import { enforceSinceAfter } from '../policy/setup-due.ts';
import { accountRequirementOf, type MemberFacts, type MemberInAccount, type PolicyFields } from '../policy/account-policy.ts';

/** When this account expects the member to have set up 2FA, as the account sees it (logins from outside its exempt
 * ranges); null when it requires nothing more of them or gives no grace. */
export function accountSetupDue(member: MemberInAccount, policy: AccountPolicy, accountId: string): number | null {
  const entry = accountRequirementOf(member, policy, accountId);
  return entry && !entry.satisfied ? entry.setupDueAt : null;
}

/** `twoFactor.setupDueBy` and `overdue` of GET …/members. */
export function memberSetupDue(member: MemberFacts, account: AccountRow, now: number): { setupDueBy: string | null; overdue: boolean } {
  const due = accountSetupDue(member, accountPolicy(account), account.id);
  return { setupDueBy: due === null ? null : iso(due), overdue: due !== null && due <= now };
}

/** The account's policy as it would be if `after` applied at `now` (what the preview and the emails assume). */
export function policyAfter(account: AccountRow, after: PolicyFields, now: number): AccountPolicy {
  const before = accountPolicy(account);
  return { ...before, ...after, ...enforceSinceAfter(before, after.enforce, now) };
}

/** Email wording of a due date: the recipient's time zone is unknown, so UTC, said so. */
export function formatDueDate(at: number): string {
  return `${new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'full', timeStyle: 'short' }).format(new Date(at))} UTC`;
}

export async function recordGraceGranted(
  deps: Deps,
  input: { accountId: string; userId: string; dueAt: number; graceDays: number; actorUserId: string | null; ip: string | null },
): Promise<void> {
  await recordEvent(deps.db, {
    type: '2fa.grace_granted',
    at: deps.clock.now(),
    accountId: input.accountId,
    actorUserId: input.actorUserId,
    subjectUserId: input.userId,
    ip: input.ip,
    detail: { setupDueBy: iso(input.dueAt), gracePeriodDays: input.graceDays },
  });
}

/** A login found the user past a due date they had been given: one event in each account whose grace ran out. */
export async function recordGraceExpired(
  deps: Deps,
  userId: string,
  requirement: LoadedRequirement,
  now: number,
  ip: string,
): Promise<void> {
  const expired = requirement.requiredBy.filter((r) => !r.satisfied && r.setupDueAt !== null && r.setupDueAt <= now);
  await Promise.all(
    expired.map((r) =>
      recordEvent(deps.db, {
        type: '2fa.grace_expired',
        at: now,
        accountId: r.accountId,
        actorUserId: userId,
        subjectUserId: userId,
        ip,
        detail: { setupDueBy: iso(r.setupDueAt!) },
      }),
    ),
  );
}

/** A member joined: when the account requires 2FA of them with a grace period, that grace begins now. */
export async function recordGraceOnJoin(
  deps: Deps,
  input: { accountId: string; userId: string; actorUserId: string | null; ip: string | null },
): Promise<void> {
  const [account, membership, enabledMethods] = await Promise.all([
    findAccount(deps.db, input.accountId),
    findMembership(deps.db, input.accountId, input.userId),
    listEnabledMethods(deps.db, input.userId),
  ]);
  if (!account || !membership) return;
  const member = {
    role: membership.role,
    require2fa: toBool(membership.require_2fa),
    require2faAt: membership.require_2fa_at,
    joinedAt: Number(membership.created_at),
    enabledMethods,
  };
  const dueAt = accountSetupDue(member, accountPolicy(account), account.id);
  if (dueAt !== null && dueAt > deps.clock.now()) {
    await recordGraceGranted(deps, { ...input, dueAt, graceDays: account.grace_period_days });
  }
}

/** The grace period changed: members who were in grace, or are again, hear of their new due date (a shorter grace
 * applies at once, so nobody should find out at a blocked sign-in). */
export async function notifyDeadlineChanges(
  deps: Deps,
  input: { account: AccountRow; members: MemberFacts[]; before: AccountPolicy; after: AccountPolicy; now: number },
): Promise<void> {
  const { account, now } = input;
  await Promise.all(
    input.members.map(async (m) => {
      const before = accountSetupDue(m, input.before, account.id);
      const after = accountSetupDue(m, input.after, account.id);
      const inGrace = (due: number | null) => due !== null && due > now;
      if (before === after || (!inGrace(before) && !inGrace(after))) return;
      const body = inGrace(after)
        ? `${account.name} changed how long members have to set up two-factor authentication. Please set it up by ${formatDueDate(after!)} at ${deps.config.publicUrl}/setup.`
        : `${account.name} changed how long members have to set up two-factor authentication, and yours is due now: you will be asked to set it up at your next sign-in (${deps.config.publicUrl}/).`;
      await sendNotice(deps, m.email, `${account.name}: your two-factor authentication deadline changed`, body);
    }),
  );
}
