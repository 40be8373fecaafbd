// An account's 2FA policy as the API shows it, and the pure rules for changing it: merging an update, telling
// a tightening from a loosening, and who a policy asks to set up 2FA.
import type { EnrollableMethod, Enforce, Policy, PolicyUpdate, Role } from '../../shared/schemas.ts';
import type { AccountRow } from '../records/accounts.ts';
import { iso } from '../db/db.ts';
import { ApiError } from '../errors.ts';
import { isValidCidr, normaliseCidr, rangeCovers } from './ip-ranges.ts';
import { accountPolicy } from './requirement.ts';
import { allEnrollableMethods, evaluatePolicy, type AccountPolicy } from './policy.ts';

export type PolicyFields = Omit<Policy, 'updatedAt'>;
export type PolicyField = keyof PolicyFields;

const enforceRank: Record<Enforce, number> = { off: 0, admins: 1, all: 2 };

export function readPolicy(account: AccountRow): Policy {
  const p = accountPolicy(account);
  return {
    enforce: p.enforce,
    allowedMethods: allEnrollableMethods.filter((m) => p.allowedMethods.includes(m)),
    rememberDeviceDays: p.rememberDeviceDays,
    enforceOutsideIpRanges: p.enforceOutsideIpRanges,
    gracePeriodDays: p.gracePeriodDays ?? 0,
    updatedAt: iso(account.policy_updated_at),
  };
}

/** Canonical CIDR list (deduplicated); 400 invalid_request naming the field for a bad range. */
export function normaliseRanges(ranges: string[], field: string): string[] {
  const bad = ranges.find((r) => !isValidCidr(r));
  if (bad !== undefined) throw new ApiError('invalid_request', `${field}: "${bad}" is not a CIDR range (e.g. 10.0.0.0/8).`, { field });
  return [...new Set(ranges.map(normaliseCidr))];
}

/** The update with canonical values: methods in a fixed order without duplicates, ranges normalised. */
export function normaliseUpdate(update: PolicyUpdate): PolicyUpdate {
  const out: PolicyUpdate = { ...update };
  if (update.allowedMethods) out.allowedMethods = allEnrollableMethods.filter((m) => update.allowedMethods!.includes(m));
  if (update.enforceOutsideIpRanges) out.enforceOutsideIpRanges = normaliseRanges(update.enforceOutsideIpRanges, 'enforceOutsideIpRanges');
  return out;
}

export function mergePolicy(current: PolicyFields, update: PolicyUpdate): PolicyFields {
  return {
    enforce: update.enforce ?? current.enforce,
    allowedMethods: update.allowedMethods ?? current.allowedMethods,
    rememberDeviceDays: update.rememberDeviceDays ?? current.rememberDeviceDays,
    enforceOutsideIpRanges: update.enforceOutsideIpRanges ?? current.enforceOutsideIpRanges,
    gracePeriodDays: update.gracePeriodDays ?? current.gracePeriodDays,
  };
}

/** Does the new list of exempt ranges exempt any address the old one did not? (An empty list exempts nothing.) */
export function rangesLoosen(before: string[], after: string[]): boolean {
  if (after.length === 0) return false;
  if (before.length === 0) return true;
  return after.some((r) => !before.some((b) => rangeCovers(b, r)));
}

/** Does the new list require 2FA of any address the old one exempted? */
export function rangesTighten(before: string[], after: string[]): boolean {
  if (before.length === 0) return false;
  if (after.length === 0) return true;
  return before.some((b) => !after.some((a) => rangeCovers(a, b)));
}

export interface PolicyChange {
  changed: PolicyField[];
  /** Fields whose new value lets more people or logins go without 2FA. */
  loosened: PolicyField[];
  /** enforce rose, or fewer logins are exempt: the requirement grew. */
  requirementGrew: boolean;
}

export function classifyChange(before: PolicyFields, after: PolicyFields): PolicyChange {
  const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const changed: PolicyField[] = [];
  const loosened: PolicyField[] = [];
  if (before.enforce !== after.enforce) {
    changed.push('enforce');
    if (enforceRank[after.enforce] < enforceRank[before.enforce]) loosened.push('enforce');
  }
  if (!sameList(before.allowedMethods, after.allowedMethods)) {
    changed.push('allowedMethods');
    // Allowing security keys loosens nothing: phishing cannot relay them, so no member ends up with a weaker method.
    if (after.allowedMethods.some((m) => m !== 'webauthn' && !before.allowedMethods.includes(m))) loosened.push('allowedMethods');
  }
  if (before.rememberDeviceDays !== after.rememberDeviceDays) {
    changed.push('rememberDeviceDays');
    if (after.rememberDeviceDays > before.rememberDeviceDays) loosened.push('rememberDeviceDays');
  }
  if (!sameList(before.enforceOutsideIpRanges, after.enforceOutsideIpRanges)) {
    changed.push('enforceOutsideIpRanges');
    if (rangesLoosen(before.enforceOutsideIpRanges, after.enforceOutsideIpRanges)) loosened.push('enforceOutsideIpRanges');
  }
  if (before.gracePeriodDays !== after.gracePeriodDays) {
    changed.push('gracePeriodDays');
    // A longer grace lets members go longer without 2FA; a shorter one applies at once (setup-due.ts).
    if (after.gracePeriodDays > before.gracePeriodDays) loosened.push('gracePeriodDays');
  }
  const requirementGrew =
    enforceRank[after.enforce] > enforceRank[before.enforce] || rangesTighten(before.enforceOutsideIpRanges, after.enforceOutsideIpRanges);
  return { changed, loosened, requirementGrew };
}

export interface MemberFacts {
  userId: string;
  email: string;
  name: string;
  role: Role;
  require2fa: boolean;
  require2faAt: number | null;
  joinedAt: number;
  enabledMethods: EnrollableMethod[];
}

/** What the account's requirement looks at in one of its members. */
export interface MemberInAccount {
  role: Role;
  require2fa: boolean;
  require2faAt: number | null;
  joinedAt: number;
  enabledMethods: readonly EnrollableMethod[];
}

/** This account's requirement of the member, as the account sees it (logins from outside any exempt range):
 * undefined when it requires nothing of them. */
export function accountRequirementOf(member: MemberInAccount, policy: AccountPolicy, accountId: string) {
  const result = evaluatePolicy(
    [
      {
        accountId,
        accountName: '',
        role: member.role,
        require2fa: member.require2fa,
        require2faAt: member.require2faAt,
        joinedAt: member.joinedAt,
      },
    ],
    new Map([[accountId, policy]]),
    member.enabledMethods,
    '', // no address: the answer for logins from outside the exempt ranges
  );
  return result.requiredBy[0];
}

/** Why this account requires 2FA of the member, as the account sees it (logins from outside any exempt range), or null. */
export function accountReason(member: MemberFacts, policy: PolicyFields, accountId: string): { reason: string | null; satisfied: boolean } {
  const entry = accountRequirementOf(member, { ...policy, enforceTightenedAt: null }, accountId);
  return { reason: entry?.reason ?? null, satisfied: entry?.satisfied ?? true };
}

/** Members this policy would ask to set up 2FA: required by it and without one of its allowed methods. */
export function membersToSetUp(members: MemberFacts[], policy: PolicyFields, accountId: string): (MemberFacts & { reason: string })[] {
  return members.flatMap((m) => {
    const { reason, satisfied } = accountReason(m, policy, accountId);
    return reason && !satisfied ? [{ ...m, reason }] : [];
  });
}

/** Owners who would be locked into setup by `enforce` admins/all: none of their methods is allowed. */
export function ownersWithout2fa(members: MemberFacts[], policy: PolicyFields): MemberFacts[] {
  if (policy.enforce === 'off') return [];
  return members.filter((m) => m.role === 'owner' && !m.enabledMethods.some((x) => policy.allowedMethods.includes(x)));
}
