// The retention sweep on this leg's engine: each table's rows are deleted exactly when they stopped mattering more
// than the table's tail ago (one millisecond earlier they stay), never while live; sweeps repeat and run side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createDb, type Db } from '../../api/db/db.ts';
import { retentionRules, startSweeper, sweepExpired, type RetentionRule } from '../../api/ops/retention.ts';
import { createLogger } from '../../api/deps.ts';
import { createTestDatabase, engine, type TestDatabase } from '../support/database.ts';

const NOW = 1_900_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const hash = (tag: string) => createHash('sha256').update(tag).digest('hex');

let t: TestDatabase;
let db: Db;
const rules = retentionRules({ auditRetentionDays: 30 });
const ruleOf = (table: string): RetentionRule => rules.find((r) => r.table === table)!;

/** How to make a row of a table that stops mattering at `deadAt`, and how to tell rows apart. */
interface TableCase {
  table: string;
  tailMs: number;
  /** The column that names a row, and the row for a tag. */
  tagColumn: string;
  row(tag: string, deadAt: number): Record<string, unknown>;
}

const cases: TableCase[] = [
  {
    table: 'challenges',
    tailMs: DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({
      id: tag,
      token_hash: hash(tag),
      user_id: 'u1',
      kind: 'login',
      methods: '["totp"]',
      client: 'web',
      attempts: 0,
      created_at: deadAt - 10 * MINUTE,
      expires_at: deadAt,
      completed_at: null,
    }),
  },
  {
    // Ended sessions: they matter until the tail after they ended (their absolute expiry is still ahead).
    table: 'sessions',
    tailMs: 7 * DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({
      ...session(tag),
      ended_at: deadAt,
      ended_reason: 'signed_out',
      absolute_expires_at: Math.max(deadAt, NOW) + 12 * HOUR,
    }),
  },
  {
    table: 'one_time_codes',
    tailMs: DAY,
    tagColumn: 'purpose',
    row: (tag, deadAt) => ({
      user_id: 'u1',
      purpose: `challenge:${tag}:sms`,
      channel: 'sms',
      destination: '+61412345678',
      code_hash: hash(tag),
      created_at: deadAt - 10 * MINUTE,
      expires_at: deadAt,
    }),
  },
  {
    // A send stops mattering an hour after it was made (the hourly caps).
    table: 'code_sends',
    tailMs: DAY,
    tagColumn: 'destination',
    row: (tag, deadAt) => ({ user_id: 'u1', channel: 'email', destination: tag, at: deadAt - HOUR }),
  },
  {
    table: 'trusted_devices',
    tailMs: 7 * DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({
      id: tag,
      token_hash: hash(tag),
      user_id: 'u1',
      name: 'Chrome on Linux',
      created_at: deadAt - 30 * DAY,
      expires_at: deadAt,
    }),
  },
  {
    table: 'invitations',
    tailMs: 7 * DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({
      id: tag,
      account_id: 'a1',
      email: `${tag}@example.com`,
      role: 'member',
      token_hash: hash(tag),
      invited_by: 'u1',
      created_at: deadAt - 7 * DAY,
      expires_at: deadAt,
      accepted_at: tag.startsWith('dead') ? deadAt - DAY : null,
    }),
  },
  {
    table: 'email_verifications',
    tailMs: 7 * DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({ id: tag, user_id: 'u1', token_hash: hash(tag), created_at: deadAt - DAY, expires_at: deadAt }),
  },
  {
    table: 'policy_confirmations',
    tailMs: 7 * DAY,
    tagColumn: 'id',
    row: (tag, deadAt) => ({
      id: tag,
      account_id: 'a1',
      requested_by: 'u1',
      changes: '{}',
      code_hash: '-',
      created_at: deadAt - 10 * MINUTE,
      expires_at: deadAt,
    }),
  },
  {
    table: 'recovery_codes',
    tailMs: 7 * DAY,
    tagColumn: 'user_id',
    row: (tag, deadAt) => ({
      user_id: tag,
      account_id: 'a1',
      issued_by: 'u1',
      code_hash: hash(tag),
      created_at: deadAt - HOUR,
      expires_at: deadAt,
    }),
  },
  {
    // A streak is forgotten 24 hours after its last wrong password.
    table: 'password_throttles',
    tailMs: HOUR,
    tagColumn: 'key',
    row: (tag, deadAt) => ({ key: tag, failures: 7, last_failure_at: deadAt - DAY, blocked_until: deadAt - DAY + HOUR }),
  },
  {
    table: 'address_throttles',
    tailMs: HOUR,
    tagColumn: 'key',
    row: (tag, deadAt) => ({ key: tag, tat: deadAt }),
  },
  {
    table: 'webauthn_challenges',
    tailMs: DAY,
    tagColumn: 'purpose',
    row: (tag, deadAt) => ({
      user_id: 'u1',
      purpose: `challenge:${tag}:webauthn`,
      challenge: hash(tag),
      created_at: deadAt - 5 * MINUTE,
      expires_at: deadAt,
    }),
  },
  {
    table: 'audit_events',
    tailMs: 30 * DAY,
    tagColumn: 'type',
    row: (tag, deadAt) => ({ at: deadAt, type: tag, detail: '{}' }),
  },
];

function session(tag: string): Record<string, unknown> {
  return {
    id: tag,
    token_hash: hash(tag),
    user_id: 'u1',
    created_at: NOW - HOUR,
    last_used_at: NOW - HOUR,
    idle_expires_at: NOW + 30 * MINUTE,
    absolute_expires_at: NOW + 11 * HOUR,
    reauth_until: NOW - HOUR,
    clients: '["web"]',
    ip: '192.0.2.1',
    user_agent: null,
    ended_at: null,
    ended_reason: null,
  };
}

const TAGS = ['dead', 'boundary', 'recent', 'live'] as const;

async function tagsIn(table: string, column: string): Promise<string[]> {
  return (await db(table).select(column)).map((r: Record<string, string>) => r[column]!).sort();
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  const users = ['u1', ...TAGS].map((id) => ({
    id,
    email: `${id}@example.com`,
    name: id,
    password_hash: 'x',
    created_at: NOW - 400 * DAY,
  }));
  await db('users').insert(users);
  await db('accounts').insert({ id: 'a1', name: 'Acme', created_at: NOW - 400 * DAY, policy_updated_at: NOW - 400 * DAY });
});

afterAll(async () => {
  await t?.drop();
});

describe(`the retention sweep on ${engine}`, () => {
  it('has a rule for every table whose rows expire', async () => {
    // A new table with an expires_at column must get a rule (and a tail in the README), or it grows for ever.
    const tables =
      engine === 'pg'
        ? (
            await db('information_schema.columns').where({ table_schema: t.searchPath, column_name: 'expires_at' }).select('table_name')
          ).map((r: { table_name: string }) => r.table_name)
        : (
            await db.raw(
              `select m.name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and p.name = 'expires_at'`,
            )
          ).map((r: { name: string }) => r.name);
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables)
      expect(
        rules.map((r) => r.table),
        table,
      ).toContain(table);
  });

  describe.each(cases)('$table (tail $tailMs ms)', (c) => {
    it('deletes a row 1 ms past the tail after it stopped mattering; keeps it at the boundary, recently dead or live', async () => {
      expect(ruleOf(c.table).tailMs).toBe(c.tailMs);
      const cutoff = NOW - c.tailMs;
      const deadAt: Record<(typeof TAGS)[number], number> = {
        dead: cutoff - 1,
        boundary: cutoff,
        recent: NOW - 1,
        live: NOW + 10 * MINUTE,
      };
      await db(c.table).insert(TAGS.map((tag) => c.row(tag, deadAt[tag])));
      const tagOf = (tag: string) => String(c.row(tag, 0)[c.tagColumn]);

      const deleted = await sweepExpired(db, rules, NOW);

      expect(deleted[c.table]).toBe(1);
      expect(await tagsIn(c.table, c.tagColumn)).toEqual(['boundary', 'live', 'recent'].map(tagOf).sort());
      // A second sweep finds nothing more.
      expect((await sweepExpired(db, rules, NOW))[c.table]).toBe(0);
      await db(c.table).delete();
    });
  });

  it('deletes a session at its absolute expiry plus the tail even if nobody ended it, and keeps an idle-expired one until then', async () => {
    const tail = ruleOf('sessions').tailMs;
    await db('sessions').insert([
      { ...session('expired-long-ago'), idle_expires_at: NOW - tail - 13 * HOUR, absolute_expires_at: NOW - tail - 1 },
      { ...session('expired-at-boundary'), idle_expires_at: NOW - tail - 11 * HOUR, absolute_expires_at: NOW - tail },
      // Idle for a week and more, but its absolute expiry is recent: kept until that plus the tail.
      { ...session('idle-expired'), idle_expires_at: NOW - tail - HOUR, absolute_expires_at: NOW - 2 * HOUR },
      session('live'),
    ]);
    expect((await sweepExpired(db, rules, NOW)).sessions).toBe(1);
    expect(await tagsIn('sessions', 'id')).toEqual(['expired-at-boundary', 'idle-expired', 'live']);
    await db('sessions').delete();
  });

  it('keeps a code that was replaced under the same key by a live one', async () => {
    // one_time_codes is keyed by (user, purpose): a new code for the purpose overwrites the dead row's key.
    const tail = ruleOf('one_time_codes').tailMs;
    await db('one_time_codes').insert(cases[2]!.row('replaced', NOW - tail - HOUR));
    await db('one_time_codes')
      .where({ purpose: 'challenge:replaced:sms' })
      .update({ created_at: NOW, expires_at: NOW + 10 * MINUTE, code_hash: hash('new') });
    expect((await sweepExpired(db, rules, NOW)).one_time_codes).toBe(0);
    expect(await tagsIn('one_time_codes', 'purpose')).toEqual(['challenge:replaced:sms']);
    await db('one_time_codes').delete();
  });

  it('keeps audit events for ever when AUDIT_RETENTION_DAYS is 0', async () => {
    await db('audit_events').insert({ at: NOW - 3650 * DAY, type: 'ancient', detail: '{}' });
    const deleted = await sweepExpired(db, retentionRules({ auditRetentionDays: 0 }), NOW);
    expect(deleted.audit_events).toBeUndefined();
    expect(await tagsIn('audit_events', 'type')).toEqual(['ancient']);
    expect((await sweepExpired(db, retentionRules({ auditRetentionDays: 3649 }), NOW)).audit_events).toBe(1);
  });

  it('works through a backlog in batches, and stops between batches when asked', async () => {
    const dead = ruleOf('challenges');
    await db('challenges').insert(Array.from({ length: 23 }, (_, i) => cases[0]!.row(`backlog-${i}`, NOW - dead.tailMs - 1 - i)));
    const batches: number[] = [];
    let stop = false;
    const first = await sweepExpired(db, [dead], NOW, {
      batchSize: 5,
      shouldStop: () => stop,
      onDeleted: (_, n) => {
        batches.push(n);
        stop = batches.length === 2;
      },
    });
    expect(first.challenges).toBe(10);
    expect(await db('challenges').count({ n: '*' }).first()).toMatchObject({ n: 13 });
    const rest = await sweepExpired(db, [dead], NOW, { batchSize: 5, onDeleted: (_, n) => batches.push(n) });
    expect(rest.challenges).toBe(13);
    expect(batches).toEqual([5, 5, 5, 5, 3]);
  });

  it('two sweepers at once delete every dead row exactly once and nothing live', async () => {
    const other = engine === 'pg' ? createDb(t.config, { searchPath: t.searchPath, poolMax: 2 }) : createDb(t.config);
    try {
      const sessionsTail = ruleOf('sessions').tailMs;
      const challengesTail = ruleOf('challenges').tailMs;
      const deadSessions = Array.from({ length: 600 }, (_, i) => ({
        ...session(`dead-${i}`),
        ended_at: NOW - sessionsTail - 1 - i,
        ended_reason: 'signed_out',
      }));
      const liveSessions = Array.from({ length: 50 }, (_, i) => session(`live-${i}`));
      const deadChallenges = Array.from({ length: 600 }, (_, i) => cases[0]!.row(`dead-${i}`, NOW - challengesTail - 1 - i));
      const liveChallenges = Array.from({ length: 50 }, (_, i) => cases[0]!.row(`live-${i}`, NOW + MINUTE));
      for (const [table, rows] of [
        ['sessions', [...deadSessions, ...liveSessions]],
        ['challenges', [...deadChallenges, ...liveChallenges]],
      ] as const) {
        for (let i = 0; i < rows.length; i += 100) await db(table).insert(rows.slice(i, i + 100));
      }
      const pair = [ruleOf('sessions'), ruleOf('challenges')];
      const [a, b] = await Promise.all([sweepExpired(db, pair, NOW, { batchSize: 40 }), sweepExpired(other, pair, NOW, { batchSize: 40 })]);
      expect(a.sessions! + b.sessions!).toBe(600);
      expect(a.challenges! + b.challenges!).toBe(600);
      expect(await tagsIn('sessions', 'id')).toEqual(liveSessions.map((s) => s.id).sort());
      expect(await tagsIn('challenges', 'id')).toEqual(liveChallenges.map((c) => c.id).sort());
    } finally {
      await other.destroy();
      await db('sessions').delete();
      await db('challenges').delete();
    }
  });

  it('the sweeper reports each sweep, sweeps the other tables when one fails, and stop() waits for the sweep in progress', async () => {
    const reports: string[] = [];
    const observer = {
      deleted: (table: string, rows: number) => reports.push(`${table}:${rows}`),
      swept: (ok: boolean) => reports.push(ok ? 'ok' : 'failed'),
    };
    const challenges = ruleOf('challenges');
    const broken: RetentionRule = { ...challenges, table: 'no_such_table' };
    const clock = { now: () => NOW };
    const log = createLogger('silent');

    await db('challenges').insert(cases[0]!.row('old', NOW - challenges.tailMs - 1));
    const failing = startSweeper({ db, clock, log, observer }, [broken, challenges], { intervalMs: 3600_000 });
    await failing.sweepNow();
    await failing.stop();
    expect(reports).toEqual(['challenges:1', 'failed']);

    await db('challenges').insert(cases[0]!.row('older', NOW - challenges.tailMs - 1));
    const working = startSweeper({ db, clock, log, observer }, [challenges], { intervalMs: 3600_000 });
    const running = working.sweepNow();
    await working.stop();
    expect(await db('challenges').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await running;
    expect(reports).toEqual(['challenges:1', 'failed', 'challenges:1', 'ok']);
  });
});
