// Grace periods as pure rules, with the clock as a parameter: due dates when the policy tightens or the grace changes,
// across several accounts, for members who join later, per-member requirements and exempt ranges; and that no
// change which requires nothing new of someone restarts their grace.
import { describe, expect, it } from 'vitest';
import type { EnrollableMethod, Enforce, Role } from '../../shared/schemas.ts';
import { evaluatePolicy, type AccountPolicy, type PolicyMembership } from '../../api/policy/policy.ts';
import { DAY_MS, enforceSinceAfter, graceEndsAt, mustSetUpNow } from '../../api/policy/setup-due.ts';
import { classifyChange, mergePolicy, type PolicyFields } from '../../api/policy/account-policy.ts';

const T = Date.UTC(2027, 2, 1, 9, 0); // 1 March 2027, 09:00 UTC: when enforcement began, unless a row says otherwise
const ALL: EnrollableMethod[] = ['totp', 'sms', 'email'];
const OUTSIDE = '203.0.113.9';
const member = (accountId: string, role: Role = 'member', extra: Partial<PolicyMembership> = {}): PolicyMembership => ({
  accountId,
  accountName: `Account ${accountId}`,
  role,
  require2fa: false,
  require2faAt: null,
  joinedAt: T - 30 * DAY_MS,
  ...extra,
});
/** A policy whose enforcement began at `since` (as applying it through enforceSinceAfter would record). */
const policy = (enforce: Enforce, gracePeriodDays: number, extra: Partial<AccountPolicy> = {}, since = T): AccountPolicy => ({
  enforce,
  allowedMethods: ALL,
  rememberDeviceDays: 30,
  enforceOutsideIpRanges: [],
  enforceTightenedAt: since,
  gracePeriodDays,
  ...enforceSinceAfter({ enforce: 'off' }, enforce, since),
  ...extra,
});
const evaluate = (ms: PolicyMembership[], ps: Record<string, AccountPolicy>, enabled: EnrollableMethod[] = [], ip = OUTSIDE) =>
  evaluatePolicy(ms, new Map(Object.entries(ps)), enabled, ip);
const days = (n: number) => n * DAY_MS;

describe('a tightening with a grace period', () => {
  const r = evaluate([member('a')], { a: policy('all', 7) });
  it.each([
    ['just after enforcement began', T + 1, false, T + days(7)],
    ['an hour before the due date', T + days(7) - 3_600_000, false, T + days(7)],
    ['at the due date', T + days(7), true, null],
    ['a day after it', T + days(8), true, null],
  ])('%s', (_name, now, mustSetUp, graceEnd) => {
    expect(r.setupDueBy).toBe(T + days(7));
    expect(mustSetUpNow(r, now)).toBe(mustSetUp);
    expect(graceEndsAt(r, now)).toBe(graceEnd);
  });

  it("no grace (0 days): due at once, even when the start is a moment ahead of this clock (another instance's)", () => {
    const none = evaluate([member('a')], { a: policy('all', 0, {}, T + 5_000) });
    expect(none.setupDueBy).toBeNull();
    expect(mustSetUpNow(none, T)).toBe(true);
  });

  it('a member who sets up a method the account allows is no longer due', () => {
    const done = evaluate([member('a')], { a: policy('all', 7) }, ['totp']);
    expect(done).toMatchObject({ satisfied: true, setupDueBy: null });
    expect(mustSetUpNow(done, T + days(30))).toBe(false);
    // A method the account does not allow leaves them due.
    const other = evaluate([member('a')], { a: policy('all', 7, { allowedMethods: ['totp'] }) }, ['email']);
    expect(other.setupDueBy).toBe(T + days(7));
  });
});

describe('changing the grace period: due dates are computed, never stored, so a change applies at once', () => {
  it.each([
    ['shortened from 7 to 3 days on day 4: overdue at once', 7, 3, T + days(4), true],
    ['shortened from 7 to 5 days on day 4: one more day', 7, 5, T + days(4), false],
    ['lengthened from 3 to 10 days on day 4 (once confirmed): in grace again', 3, 10, T + days(4), false],
    ['set to 0 on day 1: due at once', 7, 0, T + days(1), true],
  ])('%s', (_name, from, to, now, mustSetUp) => {
    expect(mustSetUpNow(evaluate([member('a')], { a: policy('all', from) }), now)).toBe(from * DAY_MS <= now - T);
    expect(mustSetUpNow(evaluate([member('a')], { a: policy('all', to) }), now)).toBe(mustSetUp);
  });

  it('a longer grace is a loosening (emailed confirmation), a shorter one a tightening', () => {
    const base: PolicyFields = {
      enforce: 'all',
      allowedMethods: ALL,
      rememberDeviceDays: 30,
      enforceOutsideIpRanges: [],
      gracePeriodDays: 7,
    };
    expect(classifyChange(base, mergePolicy(base, { gracePeriodDays: 14 }))).toMatchObject({
      changed: ['gracePeriodDays'],
      loosened: ['gracePeriodDays'],
    });
    expect(classifyChange(base, mergePolicy(base, { gracePeriodDays: 3 }))).toMatchObject({ changed: ['gracePeriodDays'], loosened: [] });
    expect(classifyChange(base, mergePolicy(base, {})).changed).toEqual([]);
  });
});

describe("enforceSinceAfter: only a rise starts a requirement, so no change restarts anyone's grace", () => {
  const NOW = T + days(20);
  it.each([
    ['off -> admins', 'off', 'admins', { adminsRequiredSince: NOW, allRequiredSince: null }],
    ['off -> all', 'off', 'all', { adminsRequiredSince: NOW, allRequiredSince: NOW }],
    ['admins -> all: owners and admins keep their start', 'admins', 'all', { adminsRequiredSince: T, allRequiredSince: NOW }],
    ['all -> admins', 'all', 'admins', { adminsRequiredSince: T, allRequiredSince: null }],
    ['all -> all (another field changed)', 'all', 'all', { adminsRequiredSince: T, allRequiredSince: T }],
    ['admins -> off', 'admins', 'off', { adminsRequiredSince: null, allRequiredSince: null }],
  ] as const)('%s', (_name, from, to, expected) => {
    const before = policy(from, 7);
    expect(enforceSinceAfter(before, to, NOW)).toEqual(expected);
  });

  it('an admin overdue under `admins` stays overdue when the policy rises to `all`; members get their grace', () => {
    const before = policy('admins', 7);
    const after: AccountPolicy = { ...before, enforce: 'all', ...enforceSinceAfter(before, 'all', T + days(20)) };
    expect(mustSetUpNow(evaluate([member('a', 'admin')], { a: after }), T + days(20) + 1)).toBe(true);
    expect(evaluate([member('a', 'member')], { a: after }).setupDueBy).toBe(T + days(27));
  });

  it('an exempt range removed later (a tightening of its own) gives an overdue member no new grace', () => {
    const shrunk = policy('all', 7, { enforceOutsideIpRanges: [], enforceTightenedAt: T + days(20) });
    expect(mustSetUpNow(evaluate([member('a')], { a: shrunk }), T + days(20) + 1)).toBe(true);
  });

  it('a row without a recorded start reads as long ago: no grace is invented', () => {
    const legacy = policy('all', 7, { adminsRequiredSince: null, allRequiredSince: null });
    expect(evaluate([member('a')], { a: legacy }).setupDueBy).toBe(days(7) - 30 * DAY_MS + T); // joinedAt + 7 days
    expect(mustSetUpNow(evaluate([member('a', 'owner', { joinedAt: 0 })], { a: legacy }), T)).toBe(true);
  });
});

describe('several accounts: the earliest due date among those not yet satisfied wins', () => {
  it.each([
    ['7 days from T and 2 days from T+1: T+3', [policy('all', 7), policy('all', 2, {}, T + days(1))], [], T + days(3)],
    ['one account gives no grace: due at once', [policy('all', 7), policy('all', 0)], [], null],
    [
      'a satisfied account does not count',
      [policy('all', 7, { allowedMethods: ['totp'] }), policy('all', 2, { allowedMethods: ['sms', 'totp'] })],
      ['sms'],
      T + days(7),
    ],
    ['an account that requires nothing does not count', [policy('all', 7), policy('off', 1)], [], T + days(7)],
  ] as [string, AccountPolicy[], EnrollableMethod[], number | null][])('%s', (_name, policies, enabled, due) => {
    const ps = Object.fromEntries(policies.map((p, i) => [`a${i}`, p]));
    const r = evaluate(
      policies.map((_, i) => member(`a${i}`)),
      ps,
      enabled,
    );
    expect(r.setupDueBy).toBe(due);
    expect(mustSetUpNow(r, due ?? T)).toBe(true);
    expect(mustSetUpNow(r, (due ?? T) - 1)).toBe(due === null);
  });
});

describe('joining later, per-member requirements, exempt ranges', () => {
  it.each([
    [
      'joins 10 days after enforcement: their own 7 days from the join',
      member('a', 'member', { joinedAt: T + days(10) }),
      policy('all', 7),
      OUTSIDE,
      T + days(17),
    ],
    [
      'required of them on day 5 (enforce off)',
      member('a', 'member', { require2fa: true, require2faAt: T + days(5) }),
      policy('off', 7),
      OUTSIDE,
      T + days(12),
    ],
    [
      'required of them on day 5 while enforce already covered them: the earlier start',
      member('a', 'member', { require2fa: true, require2faAt: T + days(5) }),
      policy('all', 7),
      OUTSIDE,
      T + days(7),
    ],
    [
      'same, logging in from an exempt range: the per-member requirement alone',
      member('a', 'member', { require2fa: true, require2faAt: T + days(5) }),
      policy('all', 7, { enforceOutsideIpRanges: ['10.0.0.0/8'] }),
      '10.1.2.3',
      T + days(12),
    ],
    ['enforce admins, an admin', member('a', 'admin'), policy('admins', 7), OUTSIDE, T + days(7)],
  ])('%s', (_name, m, p, ip, due) => {
    expect(evaluate([m], { a: p }, [], ip).setupDueBy).toBe(due);
  });

  it('an exempt range: nothing is due from inside it, the due date applies outside', () => {
    const p = policy('all', 7, { enforceOutsideIpRanges: ['10.0.0.0/8'] });
    expect(evaluate([member('a')], { a: p }, [], '10.1.2.3')).toMatchObject({ required: false, setupDueBy: null });
    expect(mustSetUpNow(evaluate([member('a')], { a: p }, [], '10.1.2.3'), T + days(30))).toBe(false);
    expect(evaluate([member('a')], { a: p }, [], '11.0.0.1').setupDueBy).toBe(T + days(7));
  });
});
