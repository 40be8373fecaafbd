// Where a session check's database time goes, in-process on SQLite: the session lookup through the Knex builder
// (as api/sessions.ts does it), the same SQL as one pre-built raw query, the builder with better-sqlite3 statements
// cached per SQL text, and a bare prepared statement. Usage: npx tsx bench/knex-overhead.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, migrateLatest, type Db } from '../api/db/db.ts';
import { findLiveSession } from '../api/records/sessions.ts';
import { MAY_REQUIRE_2FA_SQL } from '../api/policy/may-require.ts';
import { listMembershipsWithAccounts } from '../api/records/accounts.ts';
import { loadRequirement } from '../api/policy/requirement.ts';
import { hashToken } from '../api/crypto/secrets.ts';
import { openSeeder } from './seed.ts';

const N = 20_000;

const sessionColumns = [
  'id',
  'token_hash',
  'user_id',
  'created_at',
  'last_used_at',
  'idle_expires_at',
  'absolute_expires_at',
  'reauth_until',
  'clients',
  'ip',
  'user_agent',
];
const userColumns = [
  'id',
  'email',
  'name',
  'password_hash',
  'created_at',
  'preferred_method',
  'previous_phone',
  'backup_codes_sealed',
  'failed_code_streak',
  'failed_code_total',
  'code_locked_until',
  'totp_last_step',
];
/** findLiveSession as it was before the benchmark: the Knex builder on every call. */
async function findLiveSessionBuilder(db: Db, token: string, now: number) {
  const row = await db('sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.token_hash', hashToken(token))
    .first([...sessionColumns.map((c) => `s.${c} as s_${c}`), ...userColumns.map((c) => `u.${c} as u_${c}`)]);
  if (!row) return null;
  const pick = (prefix: string, columns: string[]) => Object.fromEntries(columns.map((c) => [c, row[prefix + c]]));
  const session = pick('s_', sessionColumns) as { idle_expires_at: number; absolute_expires_at: number };
  if (Math.min(session.idle_expires_at, session.absolute_expires_at) <= now) return null;
  return { session, user: pick('u_', userColumns) };
}

async function time(label: string, fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 2000; i++) await fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  console.log(`${us.toFixed(1).padStart(7)} µs  ${label}`);
  return us;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'knex-overhead-'));
  const file = join(dir, 'db.sqlite');
  const key = randomBytes(32).toString('hex');
  try {
    const db = createDb({ client: 'sqlite', filename: file });
    await migrateLatest(db);
    const seeder = openSeeder(file, key);
    const users = await seeder.users(500, 'x');
    const tokens = await seeder.sessions(users.map((u) => u.id));
    await seeder.close();
    const now = Date.now();
    const tok = (i: number) => tokens[i % tokens.length]!;

    console.log(`per call, mean of ${N} (SQLite, one connection):`);
    for (let k = 0; k < 2; k++) {
      await time('session lookup, Knex builder per call (findLiveSession before)', (i) => findLiveSessionBuilder(db, tok(i), now));
      await time('session lookup as findLiveSession runs it now (db/hot.ts statement, with accounts)', (i) =>
        findLiveSession(db, tok(i), now, MAY_REQUIRE_2FA_SQL),
      );
    }
    await time("knex: db.raw('select 1') (the per-query floor of Knex)", () => db.raw('select 1'));
    await time('listMembershipsWithAccounts (join)', (i) => listMembershipsWithAccounts(db, users[i % users.length]!.id));
    await time('loadRequirement (2 queries)', (i) => loadRequirement(db, users[i % users.length]!.id, '127.0.0.1'));

    // Statement cache: patch prepare() on the pooled connection of a second Knex instance.
    const cached = createDb({ client: 'sqlite', filename: file });
    const conn = await cached.client.acquireConnection();
    const prepare = conn.prepare.bind(conn);
    const cache = new Map<string, unknown>();
    conn.prepare = (s: string) => {
      let st = cache.get(s);
      if (!st) {
        st = prepare(s);
        cache.set(s, st);
      }
      return st;
    };
    await cached.client.releaseConnection(conn);
    await time('findLiveSession with statements cached per SQL text', (i) => findLiveSession(cached, tok(i), now, MAY_REQUIRE_2FA_SQL));
    await time('loadRequirement with statements cached', (i) => loadRequirement(cached, users[i % users.length]!.id, '127.0.0.1'));

    const bare = prepare('SELECT s.*, u.email, u.name FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?');
    await time('bare better-sqlite3 prepared statement (join)', (i) => (bare as { get(v: string): unknown }).get(hashToken(tok(i))));
    await cached.destroy();
    await db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
