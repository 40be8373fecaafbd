// Database errors an attacker can provoke must never be a 500: NUL bytes (PostgreSQL refuses U+0000 in text) and
// deadlocks between owners changing each other's roles at the same moment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { PASSWORD, uniqueEmail } from '../support/factories.ts';
import { engine } from '../support/database.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

const NUL = '\u0000';

describe('NUL bytes', () => {
  it('NUL bytes in strings, path parameters and query values: 400 invalid_request on every route, and nothing changes', async () => {
    // Attack: send U+0000 wherever text goes, to turn PostgreSQL's "invalid byte sequence" into a 500 (or a stored oddity).
    const owner = await f.ownerWithTotp();
    await f.reauth(owner.token);
    const a = `/api/v1/accounts/${owner.accountId}`;
    const token = owner.token;
    const count = async () =>
      Object.fromEntries(
        await Promise.all(
          ['users', 'accounts', 'api_keys', 'memberships', 'sessions'].map(
            async (t) => [t, Number((await app.deps.db(t).count({ n: '*' }).first())!.n)] as const,
          ),
        ),
      );
    const before = await count();
    const cases: [string, string, { body?: unknown; token?: string }][] = [
      ['POST', '/api/v1/auth/signup', { body: { email: uniqueEmail('nul'), password: PASSWORD, name: `Nul${NUL}Name` } }],
      ['POST', '/api/v1/auth/signup', { body: { email: `nul${NUL}@example.com`, password: PASSWORD, name: 'Nul Name' } }],
      [
        'POST',
        '/api/v1/auth/signup',
        { body: { email: uniqueEmail('nul'), password: PASSWORD, name: 'Nul Name', accountName: `Team${NUL}` } },
      ],
      ['POST', '/api/v1/auth/login', { body: { email: `${owner.email}${NUL}`, password: PASSWORD } }],
      ['POST', '/api/v1/auth/login', { body: { email: owner.email, password: `${PASSWORD}${NUL}` } }],
      ['POST', '/api/v1/auth/login', { body: { email: owner.email, password: PASSWORD, deviceToken: `device${NUL}` } }],
      ['POST', '/api/v1/auth/login', { body: { email: owner.email, password: PASSWORD, [`extra${NUL}`]: 1 } }],
      ['POST', '/api/v1/auth/challenge/%00/verify', { body: { method: 'totp', code: '123456' } }],
      ['POST', '/api/v1/auth/challenge/abc%00def/send', { body: { method: 'sms' } }],
      ['POST', '/api/v1/auth/accept-invite', { body: { inviteToken: `invite${NUL}`, name: 'N', password: PASSWORD } }],
      ['POST', `${a}/api-keys`, { token, body: { name: `key${NUL}` } }],
      ['DELETE', `${a}/api-keys/%00`, { token }],
      ['GET', '/api/v1/accounts/%00/members', { token }],
      ['PUT', `${a}/members/%00`, { token, body: { require2fa: true } }],
      ['POST', `${a}/members`, { token, body: { email: `new${NUL}@example.com`, role: 'member' } }],
      ['GET', `${a}/audit-events?type=${encodeURIComponent(`login${NUL}`)}`, { token }],
      ['GET', `${a}/audit-events?userId=%00`, { token }],
      ['DELETE', '/api/v1/me/sessions/%00', { token }],
      ['DELETE', '/api/v1/me/devices/%00', { token }],
      ['POST', '/api/v1/me/2fa/sms', { token, body: { phone: `+61412345678${NUL}` } }],
      ['POST', `${a}/calls`, { token, body: { to: `+61412345678${NUL}` } }],
      ['PUT', `${a}/security/ip-rules`, { token, body: { apiAllowedRanges: [`10.0.0.0/8${NUL}`] } }],
    ];
    for (const [method, path, options] of cases) {
      const r = await f.call(method, path, options);
      const label = `${method} ${path} ${JSON.stringify(options.body ?? '')}`;
      expect(r.status, label).toBe(400);
      expect(r.body.error.code, label).toBe('invalid_request');
    }
    expect(await count()).toEqual(before);
  });
});

describe('owners demoting each other', () => {
  // On SQLite (one connection) requests never interleave; on PostgreSQL these trials deadlocked 4 times in 10.
  const TRIALS = 30;

  async function twoOwners() {
    const first = await f.ownerWithTotp('First Owner');
    const second = await f.addMember(first.token, first.accountId, 'owner', 'Second Owner');
    return { accountId: first.accountId, first, second };
  }

  it(`owners demoting each other at the same moment (${engine}, ${TRIALS} trials): one wins, the other is told why, never a 500`, async () => {
    // Attack (or accident): two owners demote each other at once; a deadlock answered 500, and a careless fix
    // could leave the account with no owner.
    const { accountId, first, second } = await twoOwners();
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      await app.deps.db('memberships').where({ account_id: accountId }).update({ role: 'owner' });
      const [a, b] = await Promise.all([
        f.call('PUT', `${f.base(accountId)}/members/${second.id}`, { token: first.token, body: { role: 'admin' } }),
        f.call('PUT', `${f.base(accountId)}/members/${first.id}`, { token: second.token, body: { role: 'admin' } }),
      ]);
      outcomes.push([a.status, b.status].sort().join('+'));
      const owners = await app.deps.db('memberships').where({ account_id: accountId, role: 'owner' }).pluck('user_id');
      expect(owners, `trial ${trial}: ${a.status} ${JSON.stringify(a.body)} / ${b.status} ${JSON.stringify(b.body)}`).toHaveLength(1);
    }
    // The loser is no longer an owner when its request is checked (403) or its target is now the last owner (409).
    expect(
      outcomes.filter((o) => o !== '200+403' && o !== '200+409'),
      outcomes.join(' '),
    ).toEqual([]);
  });

  it(`owners removing each other at the same moment (${engine}, ${TRIALS} trials): one stays, never a 500`, async () => {
    const { accountId, first, second } = await twoOwners();
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      await app.deps
        .db('memberships')
        .insert([first, second].map((u) => ({ account_id: accountId, user_id: u.id, role: 'owner', created_at: app.clock.now() })))
        .onConflict(['account_id', 'user_id'])
        .merge({ role: 'owner' });
      const [a, b] = await Promise.all([
        f.call('DELETE', `${f.base(accountId)}/members/${second.id}`, { token: first.token }),
        f.call('DELETE', `${f.base(accountId)}/members/${first.id}`, { token: second.token }),
      ]);
      outcomes.push([a.status, b.status].sort().join('+'));
      expect(
        await app.deps.db('memberships').where({ account_id: accountId, role: 'owner' }).pluck('user_id'),
        `trial ${trial}`,
      ).toHaveLength(1);
    }
    // The loser was removed before its request was checked (404: not a member) or its target is now the last owner (409).
    expect(
      outcomes.filter((o) => o !== '204+404' && o !== '204+409'),
      outcomes.join(' '),
    ).toEqual([]);
  });
});
