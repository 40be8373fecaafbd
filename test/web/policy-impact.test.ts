import { describe, expect, it } from 'vitest';
import type { Member } from '../../shared/schemas.ts';
import { policyImpact } from '../../web/pages/admin/policy-impact.ts';
import { groupInFours } from '../../web/components/secret-key.tsx';

function member(name: string, role: Member['role'], enabled: boolean): Member {
  return {
    userId: name,
    email: `${name}@example.com`,
    name,
    role,
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled,
      methods: enabled ? ['totp'] : [],
      required: false,
      requiredReason: null,
      canReset: enabled,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  };
}

describe('policy impact preview', () => {
  const members = [
    member('olga', 'owner', false),
    member('omar', 'owner', true),
    member('ada', 'admin', false),
    member('mo', 'member', false),
    member('mia', 'member', true),
  ];

  it('asks nobody when enforcement is off', () => {
    expect(policyImpact(members, 'off')).toEqual({ toSetUp: [], blockingOwners: [] });
  });
  it('covers owners and admins for "admins": owners without 2FA block it', () => {
    const impact = policyImpact(members, 'admins');
    expect(impact.toSetUp.map((m) => m.name)).toEqual(['ada']);
    expect(impact.blockingOwners.map((m) => m.name)).toEqual(['olga']);
  });
  it('covers everyone without 2FA for "all"', () => {
    expect(policyImpact(members, 'all').toSetUp.map((m) => m.name)).toEqual(['ada', 'mo']);
  });
});

describe('authenticator key', () => {
  it('is grouped in fours for typing by hand', () => {
    expect(groupInFours('JBSWY3DPEHPK3PXPJBSW')).toBe('JBSW Y3DP EHPK 3PXP JBSW');
  });
});
