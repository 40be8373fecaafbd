// Which accounts require 2FA of a user, which methods they allow, and how long a device may be trusted.
// A pure function of memberships, account policies, the user's factors, the client address and the time:
// every enforcement rule can be tested without HTTP or a database.
import type { EnrollableMethod, Enforce, RequiredBy, Role } from '../../shared/schemas.ts';
import { isInRanges } from './ip-ranges.ts';
import { earliestSetupDue, setupDueAt } from './setup-due.ts';

export interface PolicyMembership {
  accountId: string;
  accountName: string;
  role: Role;
  require2fa: boolean;
  /** When an admin required 2FA of this member (null when not required). */
  require2faAt: number | null;
  joinedAt: number;
}

export interface AccountPolicy {
  enforce: Enforce;
  allowedMethods: EnrollableMethod[];
  rememberDeviceDays: number;
  enforceOutsideIpRanges: string[];
  /** When `enforce` last grew (off -> admins -> all). */
  enforceTightenedAt: number | null;
  /** Days a member has to set up 2FA once a requirement begins (0, or absent: at once). See setup-due.ts. */
  gracePeriodDays?: number;
  /** Since when `enforce` has covered owners and admins, and everyone (absent or null while covered: long ago). */
  adminsRequiredSince?: number | null;
  allRequiredSince?: number | null;
}

export interface Requirement {
  required: boolean;
  /** `setupDueAt`: when this account expects the requirement met (null: no grace, at once). */
  requiredBy: (RequiredBy & { allowedMethods: EnrollableMethod[]; satisfied: boolean; setupDueAt: number | null })[];
  /** Methods the user may enrol and use: those every requiring account allows; when the accounts allow no method in
   * common, those any of them allows, and each account is satisfied by one method of its own list. */
  allowedMethods: EnrollableMethod[];
  /** True when the requiring accounts allow no method in common. */
  disjoint: boolean;
  /** Every requiring account is satisfied by at least one of the user's enabled methods. */
  satisfied: boolean;
  /** The strictest remember-device period among all the user's accounts (days; 0 = never remember). */
  rememberDeviceDays: number;
  /** When the newest requirement began: a device trusted before it does not skip it. */
  requiredSince: number | null;
  /** The earliest due date among the unsatisfied requiring accounts; null when none is unsatisfied or one gives no
   * grace. Whether the user may go on without 2FA at a given time: setup-due.ts's `mustSetUpNow`. */
  setupDueBy: number | null;
}

export const allEnrollableMethods: EnrollableMethod[] = ['totp', 'sms', 'email', 'webauthn'];
export const DEFAULT_REMEMBER_DEVICE_DAYS = 30;

export const multiAccountRule = [
  'Twofold API. A user may belong to many accounts, and login happens before an account is chosen, so the 2FA',
  "requirement is the user's: a user must use 2FA if any of their accounts requires it of them (enforce `all`;",
  "enforce `admins` for owners and admins; `require2fa` set on the member; an account's `enforceOutsideIpRanges`",
  "exempts logins from inside those ranges from that account's `enforce`, never from a per-member requirement).",
  'Allowed methods: those every requiring account allows. When the requiring accounts allow no method in common,',
  'the user enrols one method per account: `allowedMethods` is then the union, each `requiredBy` entry lists its',
  'own `allowedMethods`, and the user stays in `2fa_setup_required` until every requiring account is satisfied.',
  "Remember-device days: the smallest among all the user's accounts. A trusted device never skips a requirement",
  "that began after the device was trusted. An owner or admin of one account changes only that account's",
  'requirement: a reset or a looser policy in account A never removes what account B requires.',
  'Grace periods: each requiring account gives `gracePeriodDays` from when its requirement began for the user; the',
  'earliest due date among the accounts the user has not yet satisfied wins, and a login never skips a method the user has.',
].join(' ');

/** The requirement as the contract shows it: `{accountId, accountName, reason}` per requiring account. */
export const publicRequiredBy = (r: Pick<Requirement, 'requiredBy'>): RequiredBy[] =>
  r.requiredBy.map(({ accountId, accountName, reason }) => ({ accountId, accountName, reason }));

function reasonFor(m: PolicyMembership, p: AccountPolicy, clientAddress: string): string | null {
  if (m.require2fa) return 'required_for_member';
  const exempt = p.enforceOutsideIpRanges.length > 0 && isInRanges(clientAddress, p.enforceOutsideIpRanges);
  if (exempt) return null;
  if (p.enforce === 'all') return 'enforced_for_all';
  if (p.enforce === 'admins' && (m.role === 'owner' || m.role === 'admin')) return 'enforced_for_admins';
  return null;
}

function requirementStart(m: PolicyMembership, p: AccountPolicy, reason: string): number {
  const since = reason === 'required_for_member' ? (m.require2faAt ?? m.joinedAt) : (p.enforceTightenedAt ?? 0);
  // Joining an account that already requires 2FA is a new requirement for this user.
  return Math.max(since, m.joinedAt);
}

export function evaluatePolicy(
  memberships: PolicyMembership[],
  policies: ReadonlyMap<string, AccountPolicy>,
  enabledMethods: readonly EnrollableMethod[],
  clientAddress: string,
): Requirement {
  const requiredBy: Requirement['requiredBy'] = [];
  let rememberDeviceDays = DEFAULT_REMEMBER_DEVICE_DAYS;
  let requiredSince: number | null = null;
  for (const m of memberships) {
    const p = policies.get(m.accountId);
    if (!p) continue;
    rememberDeviceDays = Math.min(rememberDeviceDays, p.rememberDeviceDays);
    const reason = reasonFor(m, p, clientAddress);
    if (!reason) continue;
    const allowed = allEnrollableMethods.filter((x) => p.allowedMethods.includes(x));
    requiredBy.push({
      accountId: m.accountId,
      accountName: m.accountName,
      reason,
      allowedMethods: allowed,
      satisfied: allowed.some((x) => enabledMethods.includes(x)),
      setupDueAt: setupDueAt(m, p, clientAddress),
    });
    requiredSince = Math.max(requiredSince ?? 0, requirementStart(m, p, reason));
  }
  const common = allEnrollableMethods.filter((x) => requiredBy.every((r) => r.allowedMethods.includes(x)));
  const disjoint = requiredBy.length > 0 && common.length === 0;
  const allowedMethods =
    requiredBy.length === 0
      ? allEnrollableMethods
      : disjoint
        ? allEnrollableMethods.filter((x) => requiredBy.some((r) => r.allowedMethods.includes(x)))
        : common;
  return {
    required: requiredBy.length > 0,
    requiredBy,
    allowedMethods,
    disjoint,
    satisfied: requiredBy.every((r) => r.satisfied),
    rememberDeviceDays,
    requiredSince,
    setupDueBy: earliestSetupDue(requiredBy),
  };
}
