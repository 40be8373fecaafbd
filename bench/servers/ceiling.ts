// The ceilings on this machine, bare Koa and better-sqlite3 with statements prepared once:
// - session check (`GET /session`): one indexed lookup of the SHA-256 of the bearer token, a JSON answer. No router,
//   no validation, no expiry rules, no accounts.
// - TOTP challenge verify (`POST /verify/<challengeId>`): the reads and writes Twofold's verify makes, and nothing
//   else: the challenge and the user's lockout read, an attempt reserved by a conditional UPDATE, the sealed seed read
//   and opened (AES-256-GCM), the code checked within ±1 step, the step accepted by a conditional UPDATE (replay
//   guard), the challenge completed, the lockout streak cleared, a session inserted; a JSON answer with its token.
//   `POST /challenges/<n>` makes n users with seeds and a challenge each, and answers [{ challengeId, secret }].
// Env: PORT, DB_PATH, TOKENS (how many sessions to seed; token i is `ceiling-token-<i>`).
import Koa from 'koa';
import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { generateTotpSecret, verifyTotpStep } from '../../shared/totp.ts';
import { SQLITE_WRITE_PRAGMAS } from '../../api/db/sqlite-settings.ts';

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
  CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, seed_sealed BLOB NOT NULL, totp_last_step INTEGER);
  CREATE TABLE IF NOT EXISTS lockouts (user_id TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER);
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
  addUser: sqlite.prepare('INSERT INTO users (id, seed_sealed) VALUES (?, ?)'),
  addChallenge: sqlite.prepare('INSERT INTO challenges (id_hash, user_id, attempts, expires_at) VALUES (?, ?, 0, ?)'),
  challenge: sqlite.prepare<[string], { user_id: string; attempts: number; expires_at: number; completed_at: number | null }>(
    'SELECT user_id, attempts, expires_at, completed_at FROM challenges WHERE id_hash = ?',
  ),
  lockout: sqlite.prepare<[string], { failures: number; locked_until: number | null }>(
    'SELECT failures, locked_until FROM lockouts WHERE user_id = ?',
  ),
  reserve: sqlite.prepare(
    'UPDATE challenges SET attempts = attempts + 1 WHERE id_hash = ? AND attempts < 5 AND completed_at IS NULL AND expires_at > ?',
  ),
  seed: sqlite.prepare<[string], { seed_sealed: Buffer; totp_last_step: number | null }>(
    'SELECT seed_sealed, totp_last_step FROM users WHERE id = ?',
  ),
  acceptStep: sqlite.prepare('UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)'),
  complete: sqlite.prepare('UPDATE challenges SET completed_at = ? WHERE id_hash = ? AND completed_at IS NULL'),
  clearLockout: sqlite.prepare('DELETE FROM lockouts WHERE user_id = ?'),
};
const makeChallenges = sqlite.transaction((n: number) =>
  Array.from({ length: n }, () => {
    const userId = randomUUID();
    const secret = generateTotpSecret();
    const challengeId = randomBytes(32).toString('base64url');
    q.addUser.run(userId, seal(secret));
    q.addChallenge.run(hash(challengeId), userId, Date.now() + 600_000);
    return { challengeId, secret };
  }),
);

async function readJson(ctx: Koa.Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const refuse = (ctx: Koa.Context, status: number, code: string) => {
  ctx.status = status;
  ctx.body = { error: { code } };
};

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
    const lockout = q.lockout.get(challenge.user_id);
    if (lockout?.locked_until && lockout.locked_until > now) return refuse(ctx, 429, 'too_many_attempts');
    if (q.reserve.run(idHash, now).changes !== 1) return refuse(ctx, 429, 'too_many_attempts');
    const user = q.seed.get(challenge.user_id)!;
    const step = typeof body.code === 'string' ? verifyTotpStep(open(user.seed_sealed), body.code, now) : null;
    if (step === null || q.acceptStep.run(step, challenge.user_id, step).changes !== 1) return refuse(ctx, 401, 'invalid_code');
    if (q.complete.run(now, idHash).changes !== 1) return refuse(ctx, 401, 'challenge_expired');
    q.clearLockout.run(challenge.user_id);
    const token = randomBytes(32).toString('base64url');
    insert.run(hash(token), challenge.user_id, '', '', now + 3_600_000);
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
