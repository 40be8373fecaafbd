// Two API processes on one PostgreSQL database, as behind a load balancer: every piece of login state (challenges,
// attempt counters, lockouts, single-use codes, sessions) lives in the database, so either instance may answer
// any request. Runs on both CI legs; without a reachable PostgreSQL it fails rather than skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateTotp, TOTP_PERIOD_SECONDS } from '../../shared/totp.ts';
import { createPgDatabase, postgresAdminUrl, startApiProcess, type ChildServer, type PgDatabase } from '../support/process.ts';

const PASSWORD = 'correct horse battery staple 42';

let database: PgDatabase | undefined;
let a: ChildServer | undefined;
let b: ChildServer | undefined;
let dir = '';

async function call(server: ChildServer, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

/** A user with TOTP on, enrolled through `server`; returns the seed and the backup codes. */
async function userWithTotp(server: ChildServer) {
  const email = `mi-${randomBytes(4).toString('hex')}@example.com`;
  expect((await call(server, 'POST', '/auth/signup', { email, password: PASSWORD, name: 'Multi Instance' })).status).toBe(201);
  const login = await call(server, 'POST', '/auth/login', { email, password: PASSWORD });
  expect(login.body.status).toBe('authenticated');
  const token = login.body.session.token as string;
  const enrol = await call(server, 'POST', '/me/2fa/totp', {}, token);
  expect(enrol.status).toBe(200);
  const secret = enrol.body.secret as string;
  const verified = await call(server, 'POST', '/me/2fa/totp/verify', { code: generateTotp(secret, Date.now()) }, token);
  expect(verified.status).toBe(200);
  const backupCodes = verified.body.backupCodes as string[];
  expect(backupCodes).toHaveLength(10);
  return { email, secret, backupCodes };
}

/** A 6-digit code that is none of the codes the server would accept around now. */
function wrongTotp(secret: string): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((k) => generateTotp(secret, now + k * TOTP_PERIOD_SECONDS * 1000)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

async function challenge(server: ChildServer, email: string): Promise<string> {
  const login = await call(server, 'POST', '/auth/login', { email, password: PASSWORD });
  expect(login.status).toBe(200);
  expect(login.body.status).toBe('challenge');
  return login.body.challengeId as string;
}

beforeAll(async () => {
  database = await createPgDatabase(postgresAdminUrl(), 'twofold_mi');
  dir = mkdtempSync(join(tmpdir(), 'twofold-mi-'));
  const secretKey = randomBytes(32).toString('hex');
  // One after the other: the first process runs the migrations, the second finds them done.
  a = await startApiProcess({ databaseUrl: database.url, secretKey, outboxPath: join(dir, 'outbox-a.jsonl') });
  b = await startApiProcess({ databaseUrl: database.url, secretKey, outboxPath: join(dir, 'outbox-b.jsonl') });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('two API instances on one PostgreSQL database', () => {
  it('passes a challenge made on one instance on the other, and spends a backup code for both', async () => {
    const user = await userWithTotp(a!);
    const challengeId = await challenge(a!, user.email);
    const passed = await call(b!, 'POST', `/auth/challenge/${challengeId}/verify`, { method: 'backup_code', code: user.backupCodes[0] });
    expect(passed.status).toBe(200);
    expect(passed.body.status).toBe('authenticated');
    expect(passed.body.backupCodesRemaining).toBe(9);

    // The challenge is single use on both; so is the code.
    const again = await call(a!, 'POST', `/auth/challenge/${challengeId}/verify`, { method: 'backup_code', code: user.backupCodes[1] });
    expect(again.status).toBe(410);
    const next = await challenge(a!, user.email);
    const reused = await call(a!, 'POST', `/auth/challenge/${next}/verify`, { method: 'backup_code', code: user.backupCodes[0] });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_code');
  });

  it('locks a user after 10 wrong codes sent alternately to both, as one instance would', async () => {
    const user = await userWithTotp(b!);
    const wrong = wrongTotp(user.secret);
    const servers = [a!, b!];
    let sent = 0;
    let last: Awaited<ReturnType<typeof call>> | undefined;
    let challengeId = '';
    // A challenge is spent at its 5th wrong code, so use four per challenge (logins alternate too).
    while (sent < 10) {
      if (sent % 4 === 0) challengeId = await challenge(servers[(sent / 4) % 2]!, user.email);
      last = await call(servers[sent % 2]!, 'POST', `/auth/challenge/${challengeId}/verify`, { method: 'totp', code: wrong });
      sent++;
      if (sent < 10) {
        expect(last.status, `wrong code #${sent}`).toBe(401);
        expect(last.body.error.code).toBe('invalid_code');
      }
    }
    expect(last!.status, 'wrong code #10').toBe(429);
    expect(last!.body.error.code).toBe('too_many_attempts');
    expect(last!.body.error.retryAfterSeconds).toBeGreaterThan(0);

    // Locked everywhere: the right codes and the right password are refused on both instances.
    const right = await call(a!, 'POST', `/auth/challenge/${challengeId}/verify`, {
      method: 'totp',
      code: generateTotp(user.secret, Date.now()),
    });
    expect(right.status).toBe(429);
    const backup = await call(b!, 'POST', `/auth/challenge/${challengeId}/verify`, { method: 'backup_code', code: user.backupCodes[0] });
    expect(backup.status).toBe(429);
    for (const server of servers) {
      const login = await call(server, 'POST', '/auth/login', { email: user.email, password: PASSWORD });
      expect(login.status).toBe(429);
      expect(login.body.error.code).toBe('too_many_attempts');
    }
  });

  it('ends a session on both instances when it logs out on one', async () => {
    const user = await userWithTotp(b!);
    const challengeId = await challenge(b!, user.email);
    const passed = await call(a!, 'POST', `/auth/challenge/${challengeId}/verify`, { method: 'backup_code', code: user.backupCodes[0] });
    expect(passed.status).toBe(200);
    const token = passed.body.session.token as string;
    expect((await call(a!, 'GET', '/session', undefined, token)).status).toBe(200);
    expect((await call(b!, 'GET', '/session', undefined, token)).status).toBe(200);

    expect((await call(b!, 'POST', '/auth/logout', undefined, token)).status).toBe(204);
    for (const server of [a!, b!]) {
      const after = await call(server, 'GET', '/session', undefined, token);
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('unauthenticated');
    }
  });
});
