// The peer: better-auth with email + password and its twoFactor plugin (TOTP), on better-sqlite3, served by its
// node handler on a plain node:http server, as its documentation sets it up. Migrations run programmatically.
// Env: PORT, DB_PATH, BA_SECRET. Rate limiting is off, as in Twofold (which has none but the lockouts), so the
// benchmark measures the request paths, not a limiter.
// Bench-only routes (this file only): GET /health; POST /bench/clone {fromEmail, count} copies a template user
// (user, credential account, twoFactor row) through better-auth's own adapter; POST /bench/challenges {userIds}
// creates pending two-factor sign-ins exactly as the sign-in hook does after the password check
// (two verification values and the signed two_factor cookie), so verify-totp can be timed on its own.
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { toNodeHandler } from 'better-auth/node';
import { getMigrations } from 'better-auth/db/migration';
import { SQLITE_WRITE_PRAGMAS } from '../../api/db/sqlite-settings.ts';

const port = Number(process.env.PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const secret = process.env.BA_SECRET ?? randomBytes(32).toString('hex');
const sqlite = new Database(process.env.DB_PATH ?? ':memory:');
for (const pragma of SQLITE_WRITE_PRAGMAS) sqlite.pragma(pragma);

const options = {
  appName: 'Bench',
  baseURL,
  secret,
  database: sqlite,
  emailAndPassword: { enabled: true },
  plugins: [twoFactor({ issuer: 'Bench' })],
  rateLimit: { enabled: false },
  logger: { level: 'error' as const },
};
const auth = betterAuth(options);
const { runMigrations } = await getMigrations(options);
await runMigrations();
const handler = toNodeHandler(auth);

async function readJson(req: http.IncomingMessage): Promise<any> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return JSON.parse(raw || '{}');
}

async function clone(fromEmail: string, count: number): Promise<string[]> {
  const ctx = await auth.$context;
  const template = await ctx.internalAdapter.findUserByEmail(fromEmail, { includeAccounts: true });
  if (!template) throw new Error('no template user');
  const credential = template.accounts.find((a) => a.providerId === 'credential');
  const factor = await ctx.adapter.findOne<{ secret: string; backupCodes: string; verified: boolean }>({
    model: 'twoFactor',
    where: [{ field: 'userId', value: template.user.id }],
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const user = await ctx.internalAdapter.createUser(
      { email: `c${randomBytes(6).toString('hex')}@bench.test`, name: 'Bench', emailVerified: false, twoFactorEnabled: true },
      { method: 'email-password' },
    );
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: 'credential',
      accountId: user.id,
      password: credential!.password!,
    });
    await ctx.adapter.create({
      model: 'twoFactor',
      data: { userId: user.id, secret: factor!.secret, backupCodes: factor!.backupCodes, verified: true },
    });
    ids.push(user.email);
  }
  return ids;
}

/** As the twoFactor plugin's sign-in hook: a `2fa-…` verification value, its attempt counter, and the signed cookie. */
async function challenges(emails: string[]): Promise<string[]> {
  const ctx = await auth.$context;
  const cookie = ctx.createAuthCookie('two_factor', { maxAge: 600 });
  const out: string[] = [];
  for (const email of emails) {
    const user = await ctx.internalAdapter.findUserByEmail(email);
    const identifier = `2fa-${randomBytes(15).toString('base64url').slice(0, 20)}`;
    const expiresAt = new Date(Date.now() + 600_000);
    await ctx.internalAdapter.createVerificationValue({ value: user!.user.id, identifier, expiresAt });
    await ctx.internalAdapter.createVerificationValue({ value: '0', identifier: `2fa-attempts-${identifier}`, expiresAt });
    // better-call's signCookieValue: value "." base64(HMAC-SHA-256(secret, value)), URI-encoded.
    const signature = createHmac('sha256', ctx.secret).update(identifier).digest('base64');
    out.push(`${cookie.name}=${encodeURIComponent(`${identifier}.${signature}`)}`);
  }
  return out;
}

const server = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200).end('ok');
    return;
  }
  if (req.url?.startsWith('/bench/')) {
    void (async () => {
      try {
        const body = await readJson(req);
        const result = req.url === '/bench/clone' ? await clone(body.fromEmail, body.count) : await challenges(body.emails);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (err) {
        res.writeHead(500).end(String(err instanceof Error ? err.stack : err));
      }
    })();
    return;
  }
  void handler(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`better-auth listening on ${baseURL}`));
process.on('SIGTERM', () =>
  server.close(() => {
    sqlite.close();
    process.exit(0);
  }),
);
