// Who a 2FA policy would ask to set up, and which owners would block it, from the member directory.
import type { Enforce, Member } from '../../../shared/schemas.ts';

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

export function policyImpact(members: Member[], enforce: Enforce): PolicyImpact {
  const withoutTwoFactor = members.filter((m) => coveredBy(enforce, m) && !m.twoFactor.enabled);
  return {
    toSetUp: withoutTwoFactor.filter((m) => m.role !== 'owner'),
    blockingOwners: withoutTwoFactor.filter((m) => m.role === 'owner'),
  };
}
