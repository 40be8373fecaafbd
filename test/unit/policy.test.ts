// evaluatePolicy as a pure function: enforce x role x per-member requirement x client address, several
// accounts with overlapping and disjoint methods, the strictest remember period, and when a requirement began.
import { describe, expect, it } from 'vitest';
import type { EnrollableMethod, Enforce, Role } from '../../shared/schemas.ts';
import { evaluatePolicy, type AccountPolicy, type PolicyMembership } from '../../api/policy/policy.ts';

const ALL: EnrollableMethod[] = ['totp', 'sms', 'email', 'webauthn'];
const membership = (accountId: string, role: Role, extra: Partial<PolicyMembership> = {}): PolicyMembership => ({
  accountId,
  accountName: `Account ${accountId}`,
  role,
  require2fa: false,
  require2faAt: null,
  joinedAt: 1000,
  ...extra,
});
const policy = (enforce: Enforce, extra: Partial<AccountPolicy> = {}): AccountPolicy => ({
  enforce,
  allowedMethods: ALL,
  rememberDeviceDays: 30,
  enforceOutsideIpRanges: [],
  enforceTightenedAt: 2000,
  ...extra,
});
const one = (m: PolicyMembership, p: AccountPolicy, enabled: EnrollableMethod[] = [], ip = '203.0.113.9') =>
  evaluatePolicy([m], new Map([[m.accountId, p]]), enabled, ip);

describe('one account: enforce x role x per-member requirement', () => {
  const cases: [Enforce, Role, boolean, string | null][] = [
    ['off', 'owner', false, null],
    ['off', 'admin', false, null],
    ['off', 'member', false, null],
    ['admins', 'owner', false, 'enforced_for_admins'],
    ['admins', 'admin', false, 'enforced_for_admins'],
    ['admins', 'member', false, null],
    ['all', 'owner', false, 'enforced_for_all'],
    ['all', 'admin', false, 'enforced_for_all'],
    ['all', 'member', false, 'enforced_for_all'],
    ['off', 'member', true, 'required_for_member'],
    ['admins', 'member', true, 'required_for_member'],
    ['all', 'member', true, 'required_for_member'],
    ['off', 'owner', true, 'required_for_member'],
  ];
  it.each(cases)('enforce=%s role=%s require2fa=%s -> %s', (enforce, role, require2fa, reason) => {
    const r = one(membership('a', role, { require2fa, require2faAt: require2fa ? 1500 : null }), policy(enforce));
    expect(r.required).toBe(reason !== null);
    expect(r.requiredBy.map((x) => x.reason)).toEqual(reason ? [reason] : []);
    expect(r.satisfied).toBe(reason === null);
    expect(one(membership('a', role, { require2fa }), policy(enforce), ['totp']).satisfied).toBe(true);
  });
});

describe('exempt ranges (enforceOutsideIpRanges)', () => {
  const cases: [string, string[], string, boolean][] = [
    ['IPv4 inside', ['10.0.0.0/8'], '10.20.30.40', false],
    ['IPv4 outside', ['10.0.0.0/8'], '11.0.0.1', true],
    ['IPv4 at the edge', ['192.168.1.0/24'], '192.168.1.255', false],
    ['IPv4 just past the edge', ['192.168.1.0/24'], '192.168.2.0', true],
    ['IPv6 inside', ['2001:db8::/32'], '2001:db8:1::5', false],
    ['IPv6 outside', ['2001:db8::/32'], '2001:db9::1', true],
    ['IPv4-mapped client in an IPv4 range', ['10.0.0.0/8'], '::ffff:10.1.2.3', false],
    ['IPv4-mapped client outside', ['10.0.0.0/8'], '::ffff:11.1.2.3', true],
    ['IPv4 client in a mapped range', ['::ffff:10.0.0.0/104'], '10.9.9.9', false],
    ['IPv4 client vs an IPv6 range', ['2001:db8::/32'], '10.0.0.1', true],
    ['no ranges: required everywhere', [], '10.0.0.1', true],
    ['garbage address', ['10.0.0.0/8'], 'not-an-ip', true],
  ];
  it.each(cases)('%s', (_name, ranges, ip, required) => {
    expect(one(membership('a', 'member'), policy('all', { enforceOutsideIpRanges: ranges }), [], ip).required).toBe(required);
  });
  it('never exempts a per-member requirement', () => {
    const r = one(
      membership('a', 'member', { require2fa: true, require2faAt: 1500 }),
      policy('all', { enforceOutsideIpRanges: ['10.0.0.0/8'] }),
      [],
      '10.0.0.1',
    );
    expect(r.requiredBy.map((x) => x.reason)).toEqual(['required_for_member']);
  });
});

describe('several accounts', () => {
  const run = (accounts: [Enforce, EnrollableMethod[], number?][], enabled: EnrollableMethod[] = []) => {
    const memberships = accounts.map((_, i) => membership(`a${i}`, 'member'));
    const policies = new Map(
      accounts.map(([enforce, allowedMethods, days], i) => [`a${i}`, policy(enforce, { allowedMethods, rememberDeviceDays: days ?? 30 })]),
    );
    return evaluatePolicy(memberships, policies, enabled, '203.0.113.9');
  };

  it('a requirement from any one account applies', () => {
    expect(
      run([
        ['off', ALL],
        ['all', ALL],
      ]).requiredBy.map((x) => x.accountId),
    ).toEqual(['a1']);
  });
  it('overlapping methods: the user may use those every requiring account allows', () => {
    const r = run([
      ['all', ['totp', 'sms']],
      ['all', ['totp', 'email']],
      ['off', ['sms']],
    ]);
    expect(r).toMatchObject({ allowedMethods: ['totp'], disjoint: false, satisfied: false });
    expect(
      run(
        [
          ['all', ['totp', 'sms']],
          ['all', ['totp', 'email']],
        ],
        ['totp'],
      ).satisfied,
    ).toBe(true);
    // sms satisfies the first account only.
    const partly = run(
      [
        ['all', ['totp', 'sms']],
        ['all', ['totp', 'email']],
      ],
      ['sms'],
    );
    expect(partly.satisfied).toBe(false);
    expect(partly.requiredBy.map((x) => x.satisfied)).toEqual([true, false]);
  });
  it('disjoint methods: the union, and one method per account is needed', () => {
    const r = run([
      ['all', ['totp']],
      ['all', ['sms']],
    ]);
    expect(r).toMatchObject({ allowedMethods: ['totp', 'sms'], disjoint: true, satisfied: false });
    expect(r.requiredBy.map((x) => x.allowedMethods)).toEqual([['totp'], ['sms']]);
    expect(
      run(
        [
          ['all', ['totp']],
          ['all', ['sms']],
        ],
        ['totp'],
      ).satisfied,
    ).toBe(false);
    expect(
      run(
        [
          ['all', ['totp']],
          ['all', ['sms']],
        ],
        ['totp', 'sms'],
      ).satisfied,
    ).toBe(true);
  });
  it('an account that does not require 2FA does not narrow the methods', () => {
    expect(
      run([
        ['off', ['sms']],
        ['all', ['totp', 'email']],
      ]).allowedMethods,
    ).toEqual(['totp', 'email']);
    expect(run([['off', ['sms']]]).allowedMethods).toEqual(ALL);
  });
  it("rememberDeviceDays: the strictest among all the user's accounts, requiring or not", () => {
    expect(
      run([
        ['off', ALL, 14],
        ['all', ALL, 30],
        ['off', ALL, 60],
      ]).rememberDeviceDays,
    ).toBe(14);
    expect(
      run([
        ['off', ALL, 0],
        ['all', ALL, 30],
      ]).rememberDeviceDays,
    ).toBe(0);
    expect(evaluatePolicy([], new Map(), [], '10.0.0.1')).toMatchObject({
      required: false,
      satisfied: true,
      rememberDeviceDays: 30,
      requiredSince: null,
    });
  });
});

describe('requiredSince: when the newest requirement began', () => {
  it.each([
    ['enforce: when it was tightened', membership('a', 'member', { joinedAt: 1000 }), policy('all', { enforceTightenedAt: 5000 }), 5000],
    ['enforce before joining: the join', membership('a', 'member', { joinedAt: 9000 }), policy('all', { enforceTightenedAt: 5000 }), 9000],
    ['per member: when it was required', membership('a', 'member', { require2fa: true, require2faAt: 7000 }), policy('off'), 7000],
    ['no requirement', membership('a', 'member'), policy('off'), null],
  ])('%s', (_name, m, p, since) => {
    expect(one(m, p).requiredSince).toBe(since);
  });
  it('the newest among several accounts', () => {
    const r = evaluatePolicy(
      [membership('a', 'member'), membership('b', 'admin')],
      new Map([
        ['a', policy('all', { enforceTightenedAt: 3000 })],
        ['b', policy('admins', { enforceTightenedAt: 8000 })],
      ]),
      [],
      '1.2.3.4',
    );
    expect(r.requiredSince).toBe(8000);
  });
});
