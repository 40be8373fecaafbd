// Grace periods, as pure functions beside the policy core: when each requiring account expects a member to have set
// up 2FA, and whether a user may still go without it at a given time. A requirement that begins for a member (enforce
// comes to cover their role, an admin requires it of them, they join an account that requires it) is due
// `gracePeriodDays` after it began. Nothing is stored per member: due dates are computed at every request from the
// account's policy and the membership, so a shorter grace or a new per-member requirement applies at once.
import type { Enforce, Role } from '../../shared/schemas.ts';
import { isInRanges } from './ip-ranges.ts';
import type { AccountPolicy, PolicyMembership, Requirement } from './policy.ts';

export const MAX_GRACE_PERIOD_DAYS = 30;
export const DAY_MS = 24 * 60 * 60_000;

/** When `enforce` began to cover this role without a break; null when it does not cover it. A missing timestamp
 * reads as "long ago": a grace is only ever given from a recorded start. */
export function enforceCoversSince(
  role: Role,
  p: Pick<AccountPolicy, 'enforce' | 'adminsRequiredSince' | 'allRequiredSince'>,
): number | null {
  const manager = role === 'owner' || role === 'admin';
  if (p.enforce === 'all') return manager ? (p.adminsRequiredSince ?? p.allRequiredSince ?? 0) : (p.allRequiredSince ?? 0);
  if (p.enforce === 'admins' && manager) return p.adminsRequiredSince ?? 0;
  return null;
}

/** The `*RequiredSince` timestamps after `enforce` changes at `now`. Only a rise starts anything: owners and admins
 * covered before and after keep their start when `admins` becomes `all`, so no change restarts a grace. */
export function enforceSinceAfter(
  before: Pick<AccountPolicy, 'enforce' | 'adminsRequiredSince' | 'allRequiredSince'>,
  after: Enforce,
  now: number,
): { adminsRequiredSince: number | null; allRequiredSince: number | null } {
  return {
    adminsRequiredSince: after === 'off' ? null : before.enforce === 'off' ? now : (before.adminsRequiredSince ?? null),
    allRequiredSince: after !== 'all' ? null : before.enforce === 'all' ? (before.allRequiredSince ?? null) : now,
  };
}

/** When this account's requirement is due for the member, or null when the account gives no grace (due at once) or
 * requires nothing of them. Several reasons in one account (a per-member requirement and `enforce`): the earliest
 * start counts. Logins from inside an exempt range answer to the per-member requirement only. */
export function setupDueAt(m: PolicyMembership, p: AccountPolicy, clientAddress: string): number | null {
  const graceDays = p.gracePeriodDays ?? 0;
  if (graceDays <= 0) return null;
  const starts: number[] = [];
  if (m.require2fa) starts.push(m.require2faAt ?? m.joinedAt);
  const exempt = p.enforceOutsideIpRanges.length > 0 && isInRanges(clientAddress, p.enforceOutsideIpRanges);
  const since = exempt ? null : enforceCoversSince(m.role, p);
  if (since !== null) starts.push(since);
  if (starts.length === 0) return null;
  // Joining an account that already requires 2FA begins the requirement for this member.
  return Math.max(Math.min(...starts), m.joinedAt) + graceDays * DAY_MS;
}

/** The user's due date: the earliest among the requiring accounts they have not satisfied; null when one of those
 * gives no grace, or when none is left unsatisfied. */
export function earliestSetupDue(requiredBy: readonly { satisfied: boolean; setupDueAt: number | null }[]): number | null {
  const open = requiredBy.filter((r) => !r.satisfied);
  if (open.length === 0 || open.some((r) => r.setupDueAt === null)) return null;
  return Math.min(...open.map((r) => r.setupDueAt!));
}

type Standing = Pick<Requirement, 'required' | 'satisfied' | 'setupDueBy'>;

/** The end of the user's grace while they may still go without the 2FA their accounts require; otherwise null. */
export function graceEndsAt(r: Standing, now: number): number | null {
  return r.required && !r.satisfied && r.setupDueBy !== null && r.setupDueBy > now ? r.setupDueBy : null;
}

/** The user must set up 2FA before anything else: a requirement is unsatisfied and its grace (if any) is over. */
export function mustSetUpNow(r: Standing, now: number): boolean {
  return r.required && !r.satisfied && graceEndsAt(r, now) === null;
}
