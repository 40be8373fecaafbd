// Telling a tightening from a loosening, field by field, and who a policy asks to set up 2FA.
import { describe, expect, it } from 'vitest';
import {
  classifyChange,
  membersToSetUp,
  mergePolicy,
  normaliseUpdate,
  ownersWithout2fa,
  rangesLoosen,
  type MemberFacts,
  type PolicyFields,
} from '../../api/policy/account-policy.ts';

const base: PolicyFields = {
  enforce: 'admins',
  allowedMethods: ['totp', 'sms'],
  rememberDeviceDays: 14,
  enforceOutsideIpRanges: ['10.0.0.0/8'],
  gracePeriodDays: 0,
};

describe('classifyChange', () => {
  it.each([
    ['enforce down', { enforce: 'off' }, ['enforce'], false],
    ['enforce up', { enforce: 'all' }, [], true],
    ['a method added', { allowedMethods: ['totp', 'sms', 'email'] }, ['allowedMethods'], false],
    ['a method swapped', { allowedMethods: ['totp', 'email'] }, ['allowedMethods'], false],
    ['a method removed', { allowedMethods: ['totp'] }, [], false],
    ['longer remember', { rememberDeviceDays: 30 }, ['rememberDeviceDays'], false],
    ['shorter remember', { rememberDeviceDays: 1 }, [], false],
    ['a range added', { enforceOutsideIpRanges: ['10.0.0.0/8', '172.16.0.0/12'] }, ['enforceOutsideIpRanges'], false],
    ['a range widened', { enforceOutsideIpRanges: ['10.0.0.0/7'] }, ['enforceOutsideIpRanges'], false],
    ['a range narrowed', { enforceOutsideIpRanges: ['10.1.0.0/16'] }, [], true],
    ['ranges removed', { enforceOutsideIpRanges: [] }, [], true],
    // Conservative: no single new range covers the old one, so it counts as a grown requirement (devices re-prove).
    ['a range split in two inside the old', { enforceOutsideIpRanges: ['10.0.0.0/9', '10.128.0.0/9'] }, [], true],
    ['an IPv6 range for an IPv4 one', { enforceOutsideIpRanges: ['2001:db8::/32'] }, ['enforceOutsideIpRanges'], true],
    ['mixed', { enforce: 'all', rememberDeviceDays: 60 }, ['rememberDeviceDays'], true],
  ] as const)('%s', (_name, update, loosened, grew) => {
    const change = classifyChange(base, mergePolicy(base, update as never));
    expect(change.loosened).toEqual(loosened);
    expect(change.requirementGrew).toBe(grew);
    expect(change.changed.length).toBeGreaterThan(0);
  });
  it('no change is no change', () => {
    expect(classifyChange(base, mergePolicy(base, normaliseUpdate({ allowedMethods: ['sms', 'totp', 'sms'] })))).toEqual({
      changed: [],
      loosened: [],
      requirementGrew: false,
    });
  });
  it('exempting logins where there were no exemptions loosens', () => {
    expect(rangesLoosen([], ['10.0.0.0/8'])).toBe(true);
    expect(rangesLoosen(['10.0.0.0/8'], [])).toBe(false);
  });
});

describe('who a policy asks', () => {
  const m = (
    userId: string,
    role: MemberFacts['role'],
    enabledMethods: MemberFacts['enabledMethods'],
    require2fa = false,
  ): MemberFacts => ({
    userId,
    email: `${userId}@x.test`,
    name: userId,
    role,
    require2fa,
    require2faAt: null,
    joinedAt: 0,
    enabledMethods,
  });
  const members = [
    m('o1', 'owner', ['totp']),
    m('o2', 'owner', ['sms']),
    m('a', 'admin', []),
    m('u', 'member', []),
    m('r', 'member', [], true),
  ];
  it('members to set up: required here and without an allowed method', () => {
    expect(
      membersToSetUp(members, { ...base, enforce: 'admins', allowedMethods: ['totp'] }, 'acc').map((x) => [x.userId, x.reason]),
    ).toEqual([
      ['o2', 'enforced_for_admins'],
      ['a', 'enforced_for_admins'],
      ['r', 'required_for_member'],
    ]);
  });
  it('owners without 2FA: none of their methods allowed; nobody when enforce is off', () => {
    expect(ownersWithout2fa(members, { ...base, enforce: 'all', allowedMethods: ['totp'] }).map((x) => x.userId)).toEqual(['o2']);
    expect(ownersWithout2fa(members, { ...base, enforce: 'off', allowedMethods: ['email'] })).toEqual([]);
  });
});
