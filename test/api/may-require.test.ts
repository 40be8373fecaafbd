// One rule written twice: the session lookup asks in SQL whether any account could require 2FA of the user (so most
// requests skip the full evaluation), and policy/policy.ts answers in TypeScript. If they drift, a member whose
// account requires 2FA could use a password-only session: every membership/policy combination must agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Enforce, Role } from '../../shared/schemas.ts';
import { createTestDatabase, engine, type TestDatabase } from '../support/database.ts';
import { createSession, lookupSession } from '../../api/records/sessions.ts';
import { MAY_REQUIRE_2FA_SQL, mayRequire2fa } from '../../api/policy/may-require.ts';
import { evaluatePolicy, type AccountPolicy, type PolicyMembership } from '../../api/policy/policy.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const NOW = 1_800_000_000_000;
const roles: Role[] = ['owner', 'admin', 'member'];
const enforces: Enforce[] = ['off', 'admins', 'all'];
const OFFICE = '10.0.0.0/8';

interface Case {
  role: Role;
  require2fa: boolean;
  enforce: Enforce;
  exemptOffice: boolean;
}
const single: Case[] = roles.flatMap((role) =>
  [false, true].flatMap((require2fa) =>
    enforces.flatMap((enforce) => [false, true].map((exemptOffice) => ({ role, require2fa, enforce, exemptOffice }))),
  ),
);

let n = 0;
/** A user with these memberships and a live session; answers what the SQL lookup says. */
async function sqlAnswer(cases: Case[]): Promise<boolean> {
  const userId = `u${++n}`;
  await t.db('users').insert({ id: userId, email: `${userId}@example.com`, name: userId, password_hash: 'x', created_at: NOW });
  for (const [i, c] of cases.entries()) {
    const accountId = `${userId}-a${i}`;
    await t.db('accounts').insert({
      id: accountId,
      name: accountId,
      created_at: NOW,
      policy_updated_at: NOW,
      enforce: c.enforce,
      enforce_outside_ip_ranges: JSON.stringify(c.exemptOffice ? [OFFICE] : []),
    });
    await t.db('memberships').insert({ account_id: accountId, user_id: userId, role: c.role, require_2fa: c.require2fa, created_at: NOW });
  }
  const { token } = await createSession(t.db, { userId, client: 'web', ip: '127.0.0.1', userAgent: null, now: NOW });
  const found = await lookupSession(t.db, token, NOW, MAY_REQUIRE_2FA_SQL);
  if (found.status !== 'live') throw new Error('no live session');
  return found.mayRequire2fa;
}

function policyAnswer(cases: Case[], clientAddress: string): boolean {
  const memberships: PolicyMembership[] = cases.map((c, i) => ({
    accountId: `a${i}`,
    accountName: `a${i}`,
    role: c.role,
    require2fa: c.require2fa,
    require2faAt: c.require2fa ? NOW : null,
    joinedAt: NOW,
  }));
  const policies = new Map<string, AccountPolicy>(
    cases.map((c, i) => [
      `a${i}`,
      {
        enforce: c.enforce,
        allowedMethods: ['totp'],
        rememberDeviceDays: 30,
        enforceOutsideIpRanges: c.exemptOffice ? [OFFICE] : [],
        enforceTightenedAt: NOW,
      },
    ]),
  );
  return evaluatePolicy(memberships, policies, [], clientAddress).required;
}

describe(`the session lookup's policy superset on ${engine}`, () => {
  it.each(single)('%j: SQL and TypeScript agree; exact outside the office, a superset inside it', async (c) => {
    const sql = await sqlAnswer([c]);
    expect(sql).toBe(mayRequire2fa(c, c));
    expect(policyAnswer([c], '203.0.113.9')).toBe(sql);
    if (policyAnswer([c], '10.1.2.3')) expect(sql).toBe(true);
  });

  it('agrees across two accounts, every pair of the combinations above', async () => {
    const pairs = single.filter((_, i) => i % 3 === 0).flatMap((a) => single.filter((_, i) => i % 4 === 1).map((b) => [a, b]));
    for (const pair of pairs) {
      const sql = await sqlAnswer(pair);
      expect(sql, JSON.stringify(pair)).toBe(pair.some((c) => mayRequire2fa(c, c)));
      expect(policyAnswer(pair, '203.0.113.9'), JSON.stringify(pair)).toBe(sql);
    }
  });

  it('a user in no account may not be required', async () => {
    expect(await sqlAnswer([])).toBe(false);
  });
});
