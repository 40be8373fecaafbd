// The ceiling for a session check on this machine: bare Koa and better-sqlite3, one indexed lookup of the
// SHA-256 of the bearer token, a JSON answer. No router, no validation, no expiry rules, no accounts.
// Env: PORT, DB_PATH, TOKENS (how many sessions to seed; token i is `ceiling-token-<i>`).
import Koa from 'koa';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

const sqlite = new Database(process.env.DB_PATH ?? ':memory:');
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');
sqlite.exec(
  `CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
);
const insert = sqlite.prepare('INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?)');
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
sqlite.transaction((n: number) => {
  for (let i = 0; i < n; i++)
    insert.run(hash(`ceiling-token-${i}`), `user-${i}`, `user${i}@bench.test`, `User ${i}`, Date.now() + 3_600_000);
})(Number(process.env.TOKENS ?? 1000));
const find = sqlite.prepare<[string], { user_id: string; email: string; name: string; expires_at: number }>(
  'SELECT user_id, email, name, expires_at FROM sessions WHERE token_hash = ?',
);

const app = new Koa();
app.use((ctx) => {
  if (ctx.path === '/health') {
    ctx.body = 'ok';
    return;
  }
  const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  const row = token ? find.get(hash(token)) : undefined;
  if (!row || row.expires_at <= Date.now()) {
    ctx.status = 401;
    ctx.body = { error: { code: 'unauthenticated' } };
    return;
  }
  ctx.body = {
    user: { id: row.user_id, email: row.email, name: row.name },
    session: { expiresAt: new Date(row.expires_at).toISOString() },
  };
});
const server = app.listen(Number(process.env.PORT ?? 3200), '127.0.0.1');
process.on('SIGTERM', () =>
  server.close(() => {
    sqlite.close();
    process.exit(0);
  }),
);
