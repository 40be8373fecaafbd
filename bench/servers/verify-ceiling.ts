// The TOTP verify's bare endpoint on Twofold's own tables: bare Koa and better-sqlite3 running the nine statements
// Twofold's verify runs, with Twofold's SQL, in its order, on a database Twofold migrated and the bench seeded
// (users with a sealed TOTP seed, login challenges: bench/seed.ts), prepared once, and answering Twofold's headers,
// session cookie and body. No router, no validation, no audit, no request log, no metrics: the difference to Twofold
// is what those cost. bench/servers/ceiling.ts does the same statements on lean tables of its own (the bare endpoint
// until 2026-12-06, still reported); the difference between the two is what Twofold's tables cost: the session
// table's indexes (the lookup, the user's sessions, the retention sweep) and wider rows.
// The SQL is Twofold's as it reaches better-sqlite3, written out in verify-sql.ts (the records modules keep theirs
// private); test/api/hot-path.test.ts fails when the two part ways.
// POST /verify/<challengeId> with `{ "code": "123456" }`. Env: PORT, DB_PATH, SECRET_KEY (hex, the seeder's).
import Koa from 'koa';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { verifyTotpStep } from '../../shared/totp.ts';
import { SESSION_COOKIE, SESSION_COOKIE_PATH } from '../../shared/contract.ts';
import { createSecrets, hashToken, newTokenRow } from '../../api/crypto/secrets.ts';
import { CHALLENGE_MAX_ATTEMPTS } from '../../api/records/challenges.ts';
import { HARD_LOCK_AFTER_WRONG_CODES, LOCK_AFTER_WRONG_CODES } from '../../api/factors/lockout.ts';
import { REAUTH_WINDOW_MS, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../api/records/sessions.ts';
import { API_HEADERS } from '../../api/http/middleware/security-headers.ts';
import { VERIFY_SQL } from './verify-sql.ts';
import { readJson, refuse } from './bare-koa.ts';

const sqlite = new Database(process.env.DB_PATH!);
const secrets = createSecrets(Buffer.from(process.env.SECRET_KEY ?? '', 'hex'));
type Row = Record<string, unknown>;
const q = {
  challenge: sqlite.prepare<[string], Row>(VERIFY_SQL.challenge),
  reserve: sqlite.prepare<[string, number, number], Row>(VERIFY_SQL.reserve),
  reserveUser: sqlite.prepare<[string, number, number, number]>(VERIFY_SQL.reserveUser),
  factor: sqlite.prepare<[string, string], Row>(VERIFY_SQL.factor),
  acceptStep: sqlite.prepare<[number, string, number]>(VERIFY_SQL.acceptStep),
  clearUser: sqlite.prepare<[string]>(VERIFY_SQL.clearUser),
  complete: sqlite.prepare<[number, string]>(VERIFY_SQL.complete),
  user: sqlite.prepare<[string], Row>(VERIFY_SQL.user),
  insertSession: sqlite.prepare(VERIFY_SQL.insertSession),
};

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = 'ok';
    return;
  }
  if (ctx.method !== 'POST' || !ctx.path.startsWith('/verify/')) return refuse(ctx, 404, 'not_found');
  ctx.set(API_HEADERS);
  ctx.set('X-Request-Id', randomUUID());
  const body = (await readJson(ctx)) as { code?: unknown };
  const now = Date.now();
  const challenge = q.challenge.get(hashToken(ctx.path.slice('/verify/'.length)));
  if (!challenge || challenge.completed_at !== null || (challenge.expires_at as number) <= now)
    return refuse(ctx, 410, 'challenge_expired');
  if (!(JSON.parse(challenge.methods as string) as string[]).includes('totp')) return refuse(ctx, 400, 'method_not_allowed');
  const userId = challenge.user_id as string;
  if (
    (challenge.user_failed_code_total as number) >= HARD_LOCK_AFTER_WRONG_CODES ||
    ((challenge.user_code_locked_until as number | null) ?? 0) > now
  )
    return refuse(ctx, 429, 'too_many_attempts');
  if (!q.reserve.get(challenge.id as string, now, CHALLENGE_MAX_ATTEMPTS)) return refuse(ctx, 429, 'too_many_attempts');
  if (q.reserveUser.run(userId, LOCK_AFTER_WRONG_CODES, HARD_LOCK_AFTER_WRONG_CODES, now).changes !== 1)
    return refuse(ctx, 429, 'too_many_attempts');
  const factor = q.factor.get(userId, 'totp');
  const seed = factor ? secrets.open(factor.secret_sealed as string, `totp:${userId}`) : null;
  const step = seed && typeof body.code === 'string' ? verifyTotpStep(seed, body.code, now) : null;
  if (step === null || q.acceptStep.run(step, userId, step).changes !== 1) return refuse(ctx, 401, 'invalid_code');
  q.clearUser.run(userId);
  if (q.complete.run(now, challenge.id as string).changes !== 1) return refuse(ctx, 410, 'challenge_expired');
  const user = q.user.get(userId)!;
  const { token, id, token_hash } = newTokenRow();
  const idleExpiresAt = now + SESSION_IDLE_MS;
  const absoluteExpiresAt = now + SESSION_ABSOLUTE_MS;
  q.insertSession.run(
    id,
    token_hash,
    userId,
    now,
    now,
    idleExpiresAt,
    absoluteExpiresAt,
    now + REAUTH_WINDOW_MS,
    JSON.stringify([challenge.client]),
    ctx.ip,
    ctx.get('user-agent').slice(0, 300) || null,
    null,
    null,
  );
  ctx.cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: SESSION_COOKIE_PATH,
    overwrite: true,
    maxAge: SESSION_ABSOLUTE_MS,
  });
  ctx.body = {
    status: 'authenticated',
    session: { token, expiresAt: new Date(Math.min(idleExpiresAt, absoluteExpiresAt)).toISOString() },
    user: { id: user.id, email: user.email, name: user.name, emailVerified: user.email_verified_at !== null },
  };
});
const server = app.listen(Number(process.env.PORT ?? 3202), '127.0.0.1');
process.on('SIGTERM', () =>
  server.close(() => {
    sqlite.close();
    process.exit(0);
  }),
);
