// Security keys in the pure policy rules: multi-account method intersection, "security keys only", what counts
// as loosening, who a keys-only policy sends to setup; and the relying party taken from PUBLIC_URL.
import { describe, expect, it } from 'vitest';
import type { EnrollableMethod, Role } from '../../shared/schemas.ts';
import { AllowedMethods } from '../../shared/schemas.ts';
import { evaluatePolicy, type AccountPolicy } from '../../api/policy/policy.ts';
import { classifyChange, membersToSetUp, ownersWithout2fa, type MemberFacts, type PolicyFields } from '../../api/policy/account-policy.ts';
import { relyingParty } from '../../api/factors/webauthn.ts';

const policy = (allowedMethods: EnrollableMethod[]): AccountPolicy => ({
  enforce: 'all',
  allowedMethods,
  rememberDeviceDays: 30,
  enforceOutsideIpRanges: [],
  enforceTightenedAt: 2000,
});
const requirement = (lists: EnrollableMethod[][], enabled: EnrollableMethod[] = []) =>
  evaluatePolicy(
    lists.map((_, i) => ({
      accountId: `a${i}`,
      accountName: `A${i}`,
      role: 'member' as Role,
      require2fa: false,
      require2faAt: null,
      joinedAt: 1000,
    })),
    new Map(lists.map((l, i) => [`a${i}`, policy(l)])),
    enabled,
    '203.0.113.9',
  );

describe('multi-account intersection includes webauthn', () => {
  it('keys only in one account and app-or-key in another: keys only', () => {
    expect(requirement([['webauthn'], ['totp', 'webauthn']])).toMatchObject({
      allowedMethods: ['webauthn'],
      disjoint: false,
      satisfied: false,
    });
    expect(requirement([['webauthn'], ['totp', 'webauthn']], ['webauthn']).satisfied).toBe(true);
    expect(requirement([['webauthn'], ['totp', 'webauthn']], ['totp']).satisfied).toBe(false);
  });

  it('keys only against app only: disjoint, one method for each account', () => {
    const r = requirement([['webauthn'], ['totp']], ['webauthn']);
    expect(r).toMatchObject({ allowedMethods: ['totp', 'webauthn'], disjoint: true, satisfied: false });
    expect(r.requiredBy.map((x) => x.satisfied)).toEqual([true, false]);
    expect(requirement([['webauthn'], ['totp']], ['webauthn', 'totp']).satisfied).toBe(true);
  });

  it('no requirement: every method, security keys included, may be enrolled', () => {
    expect(evaluatePolicy([], new Map(), [], '203.0.113.9').allowedMethods).toEqual(['totp', 'sms', 'email', 'webauthn']);
  });
});

describe('"security keys only"', () => {
  it('["webauthn"] is a valid list; SMS still needs the app alongside it', () => {
    expect(AllowedMethods.safeParse(['webauthn']).success).toBe(true);
    expect(AllowedMethods.safeParse(['totp', 'sms', 'webauthn']).success).toBe(true);
    expect(AllowedMethods.safeParse(['sms', 'webauthn']).success).toBe(false);
  });

  const base: PolicyFields = {
    enforce: 'all',
    allowedMethods: ['totp', 'sms', 'email'],
    rememberDeviceDays: 30,
    enforceOutsideIpRanges: [],
    gracePeriodDays: 0,
  };
  it('allowing security keys loosens nothing; allowing any other method still does', () => {
    expect(classifyChange(base, { ...base, allowedMethods: ['webauthn'] })).toEqual({
      changed: ['allowedMethods'],
      loosened: [],
      requirementGrew: false,
    });
    expect(classifyChange(base, { ...base, allowedMethods: ['totp', 'sms', 'email', 'webauthn'] }).loosened).toEqual([]);
    expect(classifyChange({ ...base, allowedMethods: ['webauthn'] }, { ...base, allowedMethods: ['totp', 'webauthn'] }).loosened).toEqual([
      'allowedMethods',
    ]);
  });

  it('sends members without a key to setup, and is blocked by owners without one', () => {
    const member = (userId: string, role: Role, enabledMethods: EnrollableMethod[]): MemberFacts => ({
      userId,
      email: `${userId}@example.com`,
      name: userId,
      role,
      require2fa: false,
      require2faAt: null,
      joinedAt: 1000,
      enabledMethods,
    });
    const members = [
      member('owner-key', 'owner', ['webauthn']),
      member('totp-only', 'member', ['totp']),
      member('both', 'member', ['totp', 'webauthn']),
      member('none', 'admin', []),
    ];
    const keysOnly = { ...base, allowedMethods: ['webauthn'] as EnrollableMethod[] };
    expect(membersToSetUp(members, keysOnly, 'acc').map((m) => m.userId)).toEqual(['totp-only', 'none']);
    expect(ownersWithout2fa(members, keysOnly)).toEqual([]);
    expect(ownersWithout2fa([member('owner-app', 'owner', ['totp'])], keysOnly).map((m) => m.userId)).toEqual(['owner-app']);
  });
});

describe('the relying party', () => {
  it('is PUBLIC_URL: its host name is the RP id, its origin the only origin', () => {
    expect(relyingParty({ publicUrl: 'https://twofold.example.com' })).toEqual({
      id: 'twofold.example.com',
      origin: 'https://twofold.example.com',
      name: 'Twofold',
    });
    expect(relyingParty({ publicUrl: 'http://localhost:3000' })).toMatchObject({ id: 'localhost', origin: 'http://localhost:3000' });
  });
});
