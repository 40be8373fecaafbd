// The hot path (api/db/hot.ts) runs its statements beside Knex. On SQLite that is Knex's one connection, where a
// statement run while a transaction holds it would join the transaction: it would read rows not yet committed, and a
// write would be undone by the transaction's rollback. These check it waits instead, as Knex does, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createTestDatabase, engine, type TestDatabase } from '../support/database.ts';
import { hotFirst, hotFirstValues, hotRows, hotRun, hotStatement, hotValuesStatement } from '../../api/db/hot.ts';
import { asSessionUser, findUserById } from '../../api/records/users.ts';
import { CHALLENGE_MAX_ATTEMPTS, completeChallenge, createChallenge, reserveAttempt } from '../../api/records/challenges.ts';
import { acceptTotpStep } from '../../api/factors/totp.ts';
import { LOCK_AFTER_WRONG_CODES, reserveCodeAttempt } from '../../api/factors/lockout.ts';
import type { Deps } from '../../api/deps.ts';
import { createSession, lookupSession } from '../../api/records/sessions.ts';
import { MAY_REQUIRE_2FA_SQL } from '../../api/policy/may-require.ts';
import { listMembershipsWithAccounts } from '../../api/records/accounts.ts';
import { generateTotp } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories } from '../support/factories.ts';
import { VERIFY_SQL } from '../../bench/servers/verify-sql.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const NOW = 1_800_000_000_000;
let n = 0;
const userRow = () => {
  const id = `hot-${engine}-${++n}`;
  return { id, email: `${id}@example.com`, name: id, password_hash: 'x', created_at: NOW };
};
const renameStatement = hotStatement('update users set name = ? where id = ?');
const namesStatement = hotStatement('select name from users where id = ? or id = ? order by id');
/** Read as values: on PostgreSQL one JSON array, which must give back what the columns hold, times as numbers. */
const valuesStatement = hotValuesStatement(
  { sqlite: ['name', 'created_at', 'email_verified_at'], pg: ['name', 'created_at', 'email_verified_at'] },
  'from users where id = ? or id = ? order by id',
);

describe(`the hot path beside a transaction (${engine})`, () => {
  it('reads and writes outside a transaction, and in one when given it', async () => {
    const user = userRow();
    await t.db('users').insert(user);
    expect((await findUserById(t.db, user.id))?.email).toBe(user.email);
    expect(await hotRun(t.db, renameStatement, ['renamed', user.id])).toBe(1);
    expect(await hotRows(t.db, namesStatement, [user.id, 'nobody'])).toEqual([{ name: 'renamed' }]);
    expect(await hotFirstValues(t.db, valuesStatement, [user.id, 'nobody'])).toEqual(['renamed', NOW, null]);
    expect(await hotFirstValues(t.db, valuesStatement, ['nobody', 'nobody'])).toBeUndefined();
    // The statement is shared with Knex on SQLite: it answers objects again after a values read.
    expect(await hotRows(t.db, namesStatement, [user.id, 'nobody'])).toEqual([{ name: 'renamed' }]);
    await t.db.transaction(async (trx) => {
      await hotRun(trx, renameStatement, ['in the transaction', user.id]);
      expect((await hotFirst(trx, namesStatement, [user.id, 'nobody']))?.name).toBe('in the transaction');
      expect(await hotFirstValues(trx, valuesStatement, [user.id, 'nobody'])).toEqual(['in the transaction', NOW, null]);
    });
    expect((await findUserById(t.db, user.id))?.name).toBe('in the transaction');
  });

  it('never reads rows a transaction has not committed', async () => {
    const user = userRow();
    let inserted!: () => void;
    const insertedNow = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    let rollBack!: () => void;
    const rolledBackLater = new Promise<void>((resolve) => {
      rollBack = resolve;
    });
    const transaction = t.db
      .transaction(async (trx) => {
        await trx('users').insert(user);
        inserted();
        await rolledBackLater;
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await insertedNow;
    // Asked while the transaction is open: answered after it ended, so the row it rolled back is not there.
    const reading = findUserById(t.db, user.id);
    rollBack();
    expect(await reading).toBeUndefined();
    await transaction;
  });

  it('never lets a transaction roll back a write it did not make', async () => {
    const user = userRow();
    await t.db('users').insert(user);
    let started!: () => void;
    const startedNow = new Promise<void>((resolve) => {
      started = resolve;
    });
    let rollBack!: () => void;
    const rolledBackLater = new Promise<void>((resolve) => {
      rollBack = resolve;
    });
    const transaction = t.db
      .transaction(async (trx) => {
        await trx('users').where({ id: 'nobody' }).update({ name: 'x' });
        started();
        await rolledBackLater;
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await startedNow;
    const writing = hotRun(t.db, renameStatement, ['kept', user.id]);
    rollBack();
    expect(await writing).toBe(1);
    await transaction;
    expect((await findUserById(t.db, user.id))?.name).toBe('kept');
  });
});

// The code check's rules live in the conditions of its hot statements. Over HTTP on SQLite a request reads and reserves
// without yielding to another, so a race there cannot show a missing condition; these call the writers with a stale
// read, as racing requests on PostgreSQL do, so each rule fails here on both engines if its condition is removed.
describe(`the code check's conditional writes hold against a stale read (${engine})`, () => {
  it("a challenge's attempts: 5 reservations from one read, then none", async () => {
    const user = userRow();
    await t.db('users').insert(user);
    const { challenge } = await createChallenge(t.db, {
      userId: user.id,
      kind: 'login',
      methods: ['totp'],
      client: 'web',
      ip: '127.0.0.1',
      userAgent: null,
      now: NOW,
    });
    const used: (number | null)[] = [];
    for (let i = 0; i < CHALLENGE_MAX_ATTEMPTS + 2; i++) used.push(await reserveAttempt(t.db, challenge, NOW));
    expect(used).toEqual([1, 2, 3, 4, 5, null, null]);
  });

  it('a challenge is completed once: the second of two requests that both read it open gets nothing', async () => {
    const user = userRow();
    await t.db('users').insert(user);
    const { challenge } = await createChallenge(t.db, {
      userId: user.id,
      kind: 'login',
      methods: ['totp'],
      client: 'web',
      ip: '127.0.0.1',
      userAgent: null,
      now: NOW,
    });
    expect(await completeChallenge(t.db, challenge.id, NOW)).toBe(true);
    expect(await completeChallenge(t.db, challenge.id, NOW + 1)).toBe(false);
  });

  it('the TOTP replay guard: a step is accepted once, and never an earlier one', async () => {
    const user = userRow();
    await t.db('users').insert(user);
    const deps = { db: t.db } as Deps;
    expect(await acceptTotpStep(deps, user.id, 1000)).toBe(true);
    expect(await acceptTotpStep(deps, user.id, 1000)).toBe(false);
    expect(await acceptTotpStep(deps, user.id, 999)).toBe(false);
    expect(await acceptTotpStep(deps, user.id, 1001)).toBe(true);
  });

  it("the user's lock: 10 code attempts in a row are reserved, the 11th is refused with 429", async () => {
    const user = userRow();
    await t.db('users').insert(user);
    for (let i = 0; i < LOCK_AFTER_WRONG_CODES; i++) await reserveCodeAttempt(t.db, user.id, NOW);
    await expect(reserveCodeAttempt(t.db, user.id, NOW)).rejects.toMatchObject({ status: 429 });
  });
});

describe(`the session lookup (${engine})`, () => {
  it('carries no password hash, no sealed backup codes and no token hash with the signed-in user', async () => {
    const user = { ...userRow(), password_hash: '$argon2id$secret', backup_codes_sealed: 'sealed-codes' };
    await t.db('users').insert(user);
    const { token } = await createSession(t.db, { userId: user.id, client: 'web', ip: '127.0.0.1', userAgent: null, now: NOW });
    const found = await lookupSession(t.db, token, NOW + 1, MAY_REQUIRE_2FA_SQL);
    expect(found.status).toBe('live');
    if (found.status !== 'live') return;
    expect(found.user).toMatchObject({ id: user.id, email: user.email });
    expect(found.user).not.toHaveProperty('password_hash');
    expect(found.user).not.toHaveProperty('backup_codes_sealed');
    expect(JSON.stringify(found)).not.toContain('secret');
    expect(JSON.stringify(found)).not.toContain('sealed-codes');
    // Nor the session's token hash (what a stolen database row would be matched against), nor its address.
    expect(found.session).toMatchObject({ user_id: user.id, clients: '["web"]' });
    expect(found.session).not.toHaveProperty('token_hash');
    expect(found.session).not.toHaveProperty('ip');
    // The enrolment guard reads the full row by id, and gives the request the same shape.
    const guarded = asSessionUser((await findUserById(t.db, user.id))!);
    expect(Object.keys(guarded).sort()).toEqual(Object.keys(found.user).sort());
  });

  it("gives the user's accounts oldest membership first, in the order the policy reads them", async () => {
    const user = userRow();
    await t.db('users').insert(user);
    // Inserted out of order of joining, with names that sort neither way.
    const joined = [
      { id: `${user.id}-b`, name: 'Beta', role: 'member', at: NOW - 1000 },
      { id: `${user.id}-c`, name: 'Alpha', role: 'owner', at: NOW - 3000 },
      { id: `${user.id}-a`, name: 'Gamma', role: 'admin', at: NOW - 2000 },
    ];
    for (const a of joined) {
      await t.db('accounts').insert({ id: a.id, name: a.name, created_at: NOW - 5000, policy_updated_at: NOW - 5000 });
      await t.db('memberships').insert({ account_id: a.id, user_id: user.id, role: a.role, created_at: a.at });
    }
    const { token } = await createSession(t.db, { userId: user.id, client: 'web', ip: '127.0.0.1', userAgent: null, now: NOW });
    const found = await lookupSession(t.db, token, NOW + 1, MAY_REQUIRE_2FA_SQL);
    if (found.status !== 'live') throw new Error(`lookup: ${found.status}`);
    const oldestFirst = [...joined].sort((x, y) => x.at - y.at).map(({ id, name, role }) => ({ id, name, role }));
    expect(found.accounts).toEqual(oldestFirst);
    expect(found.accounts.map((a) => a.id)).toEqual((await listMembershipsWithAccounts(t.db, user.id)).map((m) => m.account.id));
  });
});

// What the hot path is for (bench/README.md: Knex's builder, runner and pool cost more CPU per statement than SQLite
// running it): a sign-in and the session checks after it run every statement as a prepared one. A statement added to
// these paths through Knex fails this, on both engines; it may belong on the hot path (its module's hotStatement).
describe(`a sign-in with an authenticator app, then session checks (${engine})`, () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('runs no statement through Knex: the password, its throttle, the policy, the challenge, the code, the session', async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const throughKnex: string[] = [];
    const count = (query: { sql: string }) => throughKnex.push(query.sql);
    app.deps.db.on('query', count);
    try {
      const { challengeId } = await f.startChallenge(user);
      const verify = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
        body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
      });
      expect(verify.status).toBe(200);
      const token = verify.body.session.token as string;
      for (let i = 0; i < 3; i++) expect((await f.call('GET', '/api/v1/session', { token })).status).toBe(200);
    } finally {
      app.deps.db.off('query', count);
    }
    expect(throughKnex).toEqual([]);
  });

  it('still counts through Knex what it does not run: a control that the listener hears Knex', async () => {
    const heard: string[] = [];
    const count = (query: { sql: string }) => heard.push(query.sql);
    app.deps.db.on('query', count);
    try {
      await app.deps.db('users').count({ n: '*' });
    } finally {
      app.deps.db.off('query', count);
    }
    expect(heard).toHaveLength(1);
  });

  // The bench's bare endpoint for a verify (bench/servers/verify-ceiling.ts) claims to run the statements a verify
  // runs, with the same SQL on the same tables; it is only a ceiling while that holds. SQLite only: the bare endpoint
  // is better-sqlite3, and on PostgreSQL the statements go another way (named statements on the pool).
  it.skipIf(engine !== 'sqlite')("runs the SQL the bench's bare endpoint for a verify runs, in its order (SQLite)", async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    // Every statement better-sqlite3 runs in this process while the verify is answered, by its SQL (line breaks in
    // the modules' source are only layout).
    const probe = new Database(':memory:');
    const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
    probe.close();
    const methods = ['run', 'get', 'all', 'iterate'] as const;
    const originals = methods.map((m) => statement[m] as (...args: unknown[]) => unknown);
    const ran: string[] = [];
    methods.forEach((m, i) => {
      statement[m] = function (this: { source: string }, ...args: unknown[]) {
        ran.push(this.source.replace(/\s+/g, ' '));
        return originals[i]!.apply(this, args);
      };
    });
    try {
      const verify = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
        body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
      });
      expect(verify.status).toBe(200);
    } finally {
      methods.forEach((m, i) => {
        statement[m] = originals[i];
      });
    }
    expect(ran).toEqual(Object.values(VERIFY_SQL));
  });
});
