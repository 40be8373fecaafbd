// Liveness and readiness. /health answers while the process serves; /ready answers 200 only while the database
// answers and every migration has run. The database outage is a real one for a real API process: PostgreSQL
// reached through a TCP proxy the test cuts (the shared PostgreSQL server itself keeps running for other tests).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { migrateLatest } from '../../api/db/db.ts';
import { migrationSource } from '../../api/db/migrations/index.ts';
import { startTestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { engine } from '../support/database.ts';
import { createPgDatabase, postgresAdminUrl, startApiProcess, type ChildServer, type PgDatabase } from '../support/process.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/** Asks until `ok` holds for the answer (a state, not a time), for at most 30 s. */
async function until<T>(ask: () => Promise<T>, ok: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await ask();
    if (ok(answer) || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`readiness on ${engine}`, () => {
  it('is 503 migrations_pending while a migration has not run, and 200 once it has; health stays 200', async () => {
    const app = await startTestApp();
    try {
      const call = client(app.url);
      expect(await call('GET', '/api/v1/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
      await app.deps.db.migrate.down({ migrationSource });
      const pending = await call('GET', '/api/v1/ready');
      expect(pending.status).toBe(503);
      expect(pending.body.error).toMatchObject({ code: 'service_unavailable', reason: 'migrations_pending' });
      expect(await call('GET', '/api/v1/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
      await migrateLatest(app.deps.db);
      expect((await call('GET', '/api/v1/ready')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('readiness of a real process when PostgreSQL goes away and comes back', () => {
  let database: PgDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: ChildServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'twofold-ready-'));

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 database_unreachable while the database is cut off, 200 again once it is back, and stays live throughout', async () => {
    const admin = postgresAdminUrl();
    database = await createPgDatabase(admin, 'twofold_ready');
    const target = new URL(admin);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    server = await startApiProcess({
      databaseUrl: viaProxy.toString(),
      secretKey: randomBytes(32).toString('hex'),
      outboxPath: join(dir, 'outbox.jsonl'),
      env: { LOG_LEVEL: 'silent' },
    });
    const call = client(server.url);
    expect(await call('GET', '/api/v1/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });

    await proxy.cut();
    const down = await until(
      () => call('GET', '/api/v1/ready'),
      (r) => r.status !== 200,
    );
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: 'service_unavailable', reason: 'database_unreachable' });
    expect(await call('GET', '/api/v1/health')).toMatchObject({ status: 200, body: { status: 'ok' } });

    await proxy.restore();
    const up = await until(
      () => call('GET', '/api/v1/ready'),
      (r) => r.status === 200,
    );
    expect(up).toMatchObject({ status: 200, body: { status: 'ready' } });
    // And it serves real work again.
    const signup = await call('POST', '/api/v1/auth/signup', {
      body: { email: `back-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery staple 42', name: 'Back' },
    });
    expect(signup.status).toBe(201);
  });
});
