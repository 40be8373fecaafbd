// The ceilings on this machine, bare Koa and better-sqlite3 with statements prepared once:
// - a minimal session check (`GET /session`): one indexed lookup of the SHA-256 of the bearer token in a table of its
//   own, a small JSON answer with Koa's headers only. No router, no validation, no expiry rules, no accounts. The
//   session check's ceiling until 2026-12-05, still reported; the ceiling is now bench/servers/session-ceiling.ts,
//   which runs Twofold's own lookup and gives Twofold's answer.
// - TOTP challenge verify (`POST /verify/<challengeId>`): the nine statements Twofold's verify runs, in its order,
//   and nothing else: the challenge read with its user's lock (one join), an attempt of the challenge and one of the
//   user's reserved by conditional UPDATEs, the sealed seed read and opened (AES-256-GCM), the code checked within
//   ±1 step, the step accepted by a conditional UPDATE (replay guard), the user's counters cleared, the challenge
//   completed, the user read for the answer, a session inserted; a JSON answer with its token. Until 2026-12-05 it
//   made seven, four of them writes: it reserved no attempt of the user, and its clear was a DELETE of a lockout row
//   that never existed, so it wrote nothing (bench/README.md).
//   `POST /challenges/<n>` makes n users with seeds and a challenge each, and answers [{ challengeId, secret }].
// Env: PORT, DB_PATH, TOKENS (how many sessions to seed; token i is `ceiling-token-<i>`).
import Koa from 'koa';
import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateTotpSecret, verifyTotpStep } from '../../shared/totp.ts';
import { SQLITE_WRITE_PRAGMAS } from '../../api/db/sqlite-settings.ts';
import { readJson, refuse } from './bare-koa.ts';

const sqlite = new Database(process.env.DB_PATH ?? ':memory:');
for (const pragma of SQLITE_WRITE_PRAGMAS) sqlite.pragma(pragma);
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

sqlite.exec(`
  CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL, seed_sealed BLOB NOT NULL,
    totp_last_step INTEGER, failed_streak INTEGER NOT NULL DEFAULT 0, failed_total INTEGER NOT NULL DEFAULT 0, locked_until INTEGER);
  CREATE TABLE IF NOT EXISTS challenges (id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, attempts INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, completed_at INTEGER);
`);
const sealKey = randomBytes(32);
const seal = (text: string) => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
};
const open = (sealed: Buffer) => {
  const decipher = createDecipheriv('aes-256-gcm', sealKey, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
};
const q = {
  addUser: sqlite.prepare("INSERT INTO users (id, email, name, seed_sealed) VALUES (?, ?, 'Bench User', ?)"),
  addChallenge: sqlite.prepare('INSERT INTO challenges (id_hash, user_id, attempts, expires_at) VALUES (?, ?, 0, ?)'),
  challenge: sqlite.prepare<
    [string],
    {
      user_id: string;
      attempts: number;
      expires_at: number;
      completed_at: number | null;
      failed_total: number;
      locked_until: number | null;
    }
  >(
    `SELECT c.user_id, c.attempts, c.expires_at, c.completed_at, u.failed_total, u.locked_until
    FROM challenges c JOIN users u ON u.id = c.user_id WHERE c.id_hash = ?`,
  ),
  reserve: sqlite.prepare(
    'UPDATE challenges SET attempts = attempts + 1 WHERE id_hash = ? AND attempts < 5 AND completed_at IS NULL AND expires_at > ?',
  ),
  reserveUser: sqlite.prepare(
    `UPDATE users SET failed_streak = failed_streak + 1, failed_total = failed_total + 1
    WHERE id = ? AND failed_streak < 10 AND failed_total < 100 AND (locked_until IS NULL OR locked_until <= ?)`,
  ),
  seed: sqlite.prepare<[string], { seed_sealed: Buffer; totp_last_step: number | null }>(
    'SELECT seed_sealed, totp_last_step FROM users WHERE id = ?',
  ),
  acceptStep: sqlite.prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)'),
  clearUser: sqlite.prepare('UPDATE users SET failed_streak = 0, failed_total = 0, locked_until = NULL WHERE id = ?'),
  complete: sqlite.prepare('UPDATE challenges SET completed_at = ? WHERE id_hash = ? AND completed_at IS NULL'),
  user: sqlite.prepare<[string], { email: string; name: string }>('SELECT email, name FROM users WHERE id = ?'),
};
const makeChallenges = sqlite.transaction((n: number) =>
  Array.from({ length: n }, () => {
    const userId = randomUUID();
    const secret = generateTotpSecret();
    const challengeId = randomBytes(32).toString('base64url');
    q.addUser.run(userId, `${userId}@bench.test`, seal(secret));
    q.addChallenge.run(hash(challengeId), userId, Date.now() + 600_000);
    return { challengeId, secret };
  }),
);

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = 'ok';
    return;
  }
  if (ctx.method === 'POST' && ctx.path.startsWith('/challenges/')) {
    ctx.body = makeChallenges(Number(ctx.path.slice('/challenges/'.length)));
    return;
  }
  if (ctx.method === 'POST' && ctx.path.startsWith('/verify/')) {
    const body = (await readJson(ctx)) as { code?: unknown };
    const idHash = hash(ctx.path.slice('/verify/'.length));
    const now = Date.now();
    const challenge = q.challenge.get(idHash);
    if (!challenge || challenge.completed_at !== null || challenge.expires_at <= now) return refuse(ctx, 401, 'challenge_expired');
    if (challenge.failed_total >= 100 || (challenge.locked_until ?? 0) > now) return refuse(ctx, 429, 'too_many_attempts');
    if (q.reserve.run(idHash, now).changes !== 1) return refuse(ctx, 429, 'too_many_attempts');
    if (q.reserveUser.run(challenge.user_id, now).changes !== 1) return refuse(ctx, 429, 'too_many_attempts');
    const seed = q.seed.get(challenge.user_id)!;
    const step = typeof body.code === 'string' ? verifyTotpStep(open(seed.seed_sealed), body.code, now) : null;
    if (step === null || q.acceptStep.run(step, challenge.user_id, step).changes !== 1) return refuse(ctx, 401, 'invalid_code');
    q.clearUser.run(challenge.user_id);
    if (q.complete.run(now, idHash).changes !== 1) return refuse(ctx, 401, 'challenge_expired');
    const user = q.user.get(challenge.user_id)!;
    const token = randomBytes(32).toString('base64url');
    insert.run(hash(token), challenge.user_id, user.email, user.name, now + 3_600_000);
    ctx.body = { status: 'authenticated', token };
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
