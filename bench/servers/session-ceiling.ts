// The session check's ceiling: bare Koa and better-sqlite3 doing Twofold's lookup and giving Twofold's answer, and
// nothing else. It runs the very statement Twofold's guard runs (`sessionLookupLayout` in api/records/sessions.ts:
// the session, its user, whether any account may require 2FA, the accounts, in one indexed lookup) on a database
// Twofold migrated and the bench seeded, prepared once, and answers GET /session with the headers every Twofold API
// answer carries (the security headers and a request id) and the contract's body (`GET /api/v1/session`). No router,
// no layers, no idle refresh, no metrics, no request log: the difference to Twofold is what those cost.
// It answers only users no account may require 2FA of (the bench seeds none), and 500 otherwise.
// Env: PORT, DB_PATH (a migrated Twofold SQLite database with sessions).
import Koa from 'koa';
import Database from 'better-sqlite3';
import { hash, randomUUID } from 'node:crypto';
import { sessionLookupLayout } from '../../api/records/sessions.ts';
import { MAY_REQUIRE_2FA_SQL } from '../../api/policy/may-require.ts';
import { API_HEADERS } from '../../api/http/middleware/security-headers.ts';

const lookup = sessionLookupLayout(MAY_REQUIRE_2FA_SQL);
const at = {
  endedAt: lookup.session('ended_at'),
  idleExpiresAt: lookup.session('idle_expires_at'),
  absoluteExpiresAt: lookup.session('absolute_expires_at'),
  clients: lookup.session('clients'),
  userId: lookup.user('id'),
  email: lookup.user('email'),
  name: lookup.user('name'),
  emailVerifiedAt: lookup.user('email_verified_at'),
};
const sqlite = new Database(process.env.DB_PATH!);
const find = sqlite.prepare<[string], unknown[]>(lookup.sql).raw(true);
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = 'ok';
    return;
  }
  ctx.set(API_HEADERS);
  ctx.set('X-Request-Id', randomUUID());
  const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  const v = token ? find.get(hash('sha256', token, 'hex')) : undefined;
  const expiresAt = v ? Math.min(v[at.idleExpiresAt] as number, v[at.absoluteExpiresAt] as number) : 0;
  if (!v || v[at.endedAt] !== null || expiresAt <= Date.now()) {
    ctx.status = 401;
    ctx.body = { error: { code: 'unauthenticated' } };
    return;
  }
  if (v[lookup.mayRequire]) throw new Error('the ceiling covers only users no account may require 2FA of');
  const memberships = JSON.parse(v[lookup.accounts] as string) as [string, string, string, number][];
  ctx.body = {
    user: { id: v[at.userId], email: v[at.email], name: v[at.name], emailVerified: v[at.emailVerifiedAt] !== null },
    session: { expiresAt: new Date(expiresAt).toISOString(), clients: JSON.parse(v[at.clients] as string) },
    accounts: memberships.map(([id, name, role]) => ({ id, name, role })),
    twoFactorSetupRequired: false,
    twoFactorSetupDueBy: null,
  };
});
const server = app.listen(Number(process.env.PORT ?? 3201), '127.0.0.1');
process.on('SIGTERM', () =>
  server.close(() => {
    sqlite.close();
    process.exit(0);
  }),
);
