// Seeds a running Twofold's database from the benchmark's process, in bulk, before a timed window: users with an
// enabled TOTP factor (sealed as api/totp.ts seals it) and an account each, sessions and login challenges shaped as
// api/sessions.ts and api/challenges.ts make them. The password hash is one real argon2id hash, shared by all
// users (verification costs the same), so seeding thousands of users takes seconds instead of minutes.
import { randomBytes } from 'node:crypto';
import { generateTotpSecret } from '../shared/totp.ts';
import { createDb, migrateLatest, type Db } from '../api/db/db.ts';
import { createSecrets, newTokenRow, randomId } from '../api/crypto/secrets.ts';
import { CHALLENGE_TTL_MS } from '../api/records/challenges.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../api/records/sessions.ts';

export interface SeededUser {
  id: string;
  email: string;
  secret: string;
}

const CHUNK = 100;

async function insertChunked(db: Db, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await db(table).insert(rows.slice(i, i + CHUNK));
}

/** One row a bearer token finds per user, the rest of each row as `columns`; answers the tokens, in order. */
async function insertTokenRows(db: Db, table: string, userIds: string[], columns: object): Promise<string[]> {
  const tokens: string[] = [];
  const rows = userIds.map((userId) => {
    const { token, ...key } = newTokenRow();
    tokens.push(token);
    return { ...key, user_id: userId, ...columns };
  });
  await insertChunked(db, table, rows);
  return tokens;
}

export function openSeeder(databaseUrl: string, secretKeyHex: string) {
  const database = /^postgres(ql)?:\/\//.test(databaseUrl)
    ? { client: 'pg' as const, connectionString: databaseUrl }
    : { client: 'sqlite' as const, filename: databaseUrl };
  const db = createDb(database, { poolMax: 2 });
  const secrets = createSecrets(Buffer.from(secretKeyHex, 'hex'));
  return {
    db,
    async users(count: number, passwordHash: string): Promise<SeededUser[]> {
      const now = Date.now();
      const users: SeededUser[] = [];
      const userRows: object[] = [];
      const accountRows: object[] = [];
      const memberRows: object[] = [];
      const factorRows: object[] = [];
      for (let i = 0; i < count; i++) {
        const id = randomId();
        const email = `b${randomBytes(6).toString('hex')}@bench.test`;
        const secret = generateTotpSecret();
        const accountId = randomId();
        users.push({ id, email, secret });
        userRows.push({ id, email, name: 'Bench User', password_hash: passwordHash, created_at: now });
        accountRows.push({ id: accountId, name: 'Bench account', created_at: now, policy_updated_at: now });
        memberRows.push({ account_id: accountId, user_id: id, role: 'owner', created_at: now });
        factorRows.push({
          user_id: id,
          method: 'totp',
          enabled_at: now,
          secret_sealed: secrets.seal(secret, `totp:${id}`),
          updated_at: now,
        });
      }
      await insertChunked(db, 'users', userRows);
      await insertChunked(db, 'accounts', accountRows);
      await insertChunked(db, 'memberships', memberRows);
      await insertChunked(db, 'factors', factorRows);
      return users;
    },
    sessions(userIds: string[]): Promise<string[]> {
      const now = Date.now();
      return insertTokenRows(db, 'sessions', userIds, {
        created_at: now,
        last_used_at: now,
        idle_expires_at: now + SESSION_IDLE_MS,
        absolute_expires_at: now + SESSION_ABSOLUTE_MS,
        reauth_until: now,
        clients: JSON.stringify(['web']),
        ip: '127.0.0.1',
        user_agent: 'bench',
      });
    },
    /** Login challenges; answers their ids (the token a client holds). */
    challenges(userIds: string[]): Promise<string[]> {
      const now = Date.now();
      return insertTokenRows(db, 'challenges', userIds, {
        kind: 'login',
        methods: JSON.stringify(['totp', 'recovery_code']),
        client: 'web',
        ip: '127.0.0.1',
        user_agent: 'bench',
        attempts: 0,
        created_at: now,
        expires_at: now + CHALLENGE_TTL_MS,
        completed_at: null,
      });
    },
    close: () => db.destroy(),
  };
}

/** A new SQLite database at `file`, migrated as Twofold migrates it, and nothing in it. */
export async function migratedSqlite(file: string): Promise<void> {
  const db = createDb({ client: 'sqlite', filename: file });
  await migrateLatest(db);
  await db.destroy();
}

/** A new SQLite database at `file`, migrated as Twofold migrates it, with `count` users and a session each: for a
 * server that reads Twofold's tables without being Twofold (bench/servers/session-ceiling.ts). Answers the tokens. */
export async function sqliteWithSessions(file: string, count: number, passwordHash: string): Promise<string[]> {
  await migratedSqlite(file);
  const seed = openSeeder(file, randomBytes(32).toString('hex'));
  try {
    return await seed.sessions((await seed.users(count, passwordHash)).map((u) => u.id));
  } finally {
    await seed.close();
  }
}
