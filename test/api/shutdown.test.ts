// A real API process stopped with SIGTERM while requests are in flight: it stops accepting connections, answers
// the requests it had, closes the database pool and exits 0; a request that never ends is cut after
// SHUTDOWN_TIMEOUT_SECONDS. Runs on this leg's engine. Also: METRICS_PORT serves the metrics, the API port does not.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { engine } from '../support/database.ts';
import { createPgDatabase, freePort, postgresAdminUrl, startApiProcess, type ChildServer, type PgDatabase } from '../support/process.ts';

interface Answer {
  status: number;
  body: string;
}

/** A POST whose headers and first half of the body are sent now; the rest when `finish()` is called. */
function slowRequest(port: number, path: string, body: string, agent: Agent | false = false) {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path,
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const half = Math.floor(body.length / 2);
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let data = '';
      res.on('data', (chunk) => {
        data += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return { answer, finish: () => req.end(body.slice(half)) };
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function inFlight(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^twofold_http_requests_in_flight (\d+)$/m.exec(text)?.[1] ?? -1);
}

const signupBody = () =>
  JSON.stringify({
    email: `stop-${randomBytes(4).toString('hex')}@example.com`,
    password: 'correct horse battery staple 42',
    name: 'Stopping',
  });

let dir = '';
let database: PgDatabase | undefined;
let server: ChildServer | undefined;

async function start(env: Record<string, string>): Promise<{ server: ChildServer; exited: Promise<number | null>; sqliteFile: string }> {
  dir = mkdtempSync(join(tmpdir(), 'twofold-stop-'));
  const sqliteFile = join(dir, 'twofold.sqlite');
  if (engine === 'pg') database = await createPgDatabase(postgresAdminUrl(), 'twofold_stop');
  server = await startApiProcess({
    databaseUrl: database?.url ?? sqliteFile,
    secretKey: randomBytes(32).toString('hex'),
    outboxPath: join(dir, 'outbox.jsonl'),
    env: { LOG_LEVEL: 'info', ...env },
  });
  const child = server.child;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return { server, exited, sqliteFile };
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await database?.drop();
  database = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe(`SIGTERM on ${engine}`, () => {
  it('stops accepting, lets requests in flight finish, closes the pool and exits 0', async () => {
    const metricsPort = await freePort();
    const { server, exited, sqliteFile } = await start({ METRICS_PORT: String(metricsPort), SHUTDOWN_TIMEOUT_SECONDS: '30' });
    // An idle keep-alive connection must not hold the stop up.
    const keepAlive = new Agent({ keepAlive: true });
    const idle = slowRequest(server.port, '/api/v1/auth/signup', signupBody(), keepAlive);
    idle.finish();
    expect((await idle.answer).status).toBe(201);

    const inFlightRequests = [0, 1, 2].map(() => slowRequest(server.port, '/api/v1/auth/signup', signupBody()));
    await until(async () => (await inFlight(metricsPort)) === 3, 'three requests in flight');

    server.child.kill('SIGTERM');
    await until(() => refusesConnections(server.port), 'the API port to refuse new connections');
    for (const r of inFlightRequests) r.finish();
    const answers = await Promise.all(inFlightRequests.map((r) => r.answer));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);

    expect(await exited).toBe(0);
    const output = server.output();
    expect(output).toContain('"msg":"shut down"');
    expect(output).toContain('"drained":true');
    keepAlive.destroy();
    // SQLite removes the write-ahead log when the last connection closes: the pool was closed, not abandoned.
    if (engine === 'sqlite') expect(existsSync(`${sqliteFile}-wal`)).toBe(false);
  });

  it('cuts a request that never finishes after SHUTDOWN_TIMEOUT_SECONDS, and still exits 0', async () => {
    const metricsPort = await freePort();
    const { server, exited } = await start({ METRICS_PORT: String(metricsPort), SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const stuck = slowRequest(server.port, '/api/v1/auth/signup', signupBody());
    const outcome = stuck.answer.then(
      () => 'answered',
      () => 'cut',
    );
    await until(async () => (await inFlight(metricsPort)) === 1, 'one request in flight');
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await outcome).toBe('cut');
    expect(server.output()).toContain('requests still in flight after the timeout were cut');
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on its own port only; the API port does not expose them', async () => {
    const metricsPort = await freePort();
    const { server } = await start({ METRICS_PORT: String(metricsPort), LOG_LEVEL: 'silent' });
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('twofold_http_request_duration_seconds');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/health`)).status).toBe(404);
    const onApiPort = await fetch(`${server.url}/metrics`);
    expect(await onApiPort.text()).not.toContain('# HELP twofold_');
  });

  it('asks for METRICS_TOKEN there too when both are set', async () => {
    const metricsPort = await freePort();
    const token = randomBytes(16).toString('hex');
    await start({ METRICS_PORT: String(metricsPort), METRICS_TOKEN: token, LOG_LEVEL: 'silent' });
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
