// Who a 2FA policy would ask to set up, and which owners would block it, from the member directory.
import type { EnrollableMethod, Enforce, Member } from '../../../shared/schemas.ts';

export interface PolicyImpact {
  /** Members covered by the policy who have no 2FA yet: asked to set it up at their next sign-in. */
  toSetUp: Member[];
  /** Owners without 2FA: the API refuses `admins` or `all` until they enrol. */
  blockingOwners: Member[];
}

export function coveredBy(enforce: Enforce, member: Member): boolean {
  if (enforce === 'all') return true;
  if (enforce === 'admins') return member.role === 'owner' || member.role === 'admin';
  return false;
}

/** "Security keys only": the one phishing-resistant method. */
export const isKeysOnly = (methods: readonly EnrollableMethod[]): boolean => methods.length === 1 && methods[0] === 'webauthn';

/** With `allowedMethods`, a member counts as set up only with one of them (as the API sees it). */
export function policyImpact(members: Member[], enforce: Enforce, allowedMethods?: readonly EnrollableMethod[]): PolicyImpact {
  const satisfied = (m: Member) => (allowedMethods ? m.twoFactor.methods.some((x) => allowedMethods.includes(x)) : m.twoFactor.enabled);
  const withoutTwoFactor = members.filter((m) => coveredBy(enforce, m) && !satisfied(m));
  return {
    toSetUp: withoutTwoFactor.filter((m) => m.role !== 'owner'),
    blockingOwners: withoutTwoFactor.filter((m) => m.role === 'owner'),
  };
}
