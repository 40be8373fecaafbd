// The production start: the API compiled to JavaScript (buildServer, as `npm run build` does) and started as
// `NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`, with no TypeScript loader, from another
// working directory. It migrates a fresh SQLite database, answers health, signs up and logs in, serves the web app
// built beside it, and stops on SIGTERM with its log written out. Compiled once per run, into a folder of its own
// under dist/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildServer } from '../../api/build.ts';
import { ROOT, startApiProcess, type ChildServer } from '../support/process.ts';

const outDir = join(ROOT, 'dist', `.test-server-${process.pid}-${randomBytes(3).toString('hex')}`);
let dir: string;
let server: ChildServer | undefined;

beforeAll(() => {
  buildServer(outDir);
  // The web app it serves is the one in its own dist/ (here a stand-in page), whatever the working directory.
  mkdirSync(join(outDir, 'web'), { recursive: true });
  writeFileSync(join(outDir, 'web', 'index.html'), '<!doctype html><title>compiled web app</title>');
  dir = mkdtempSync(join(tmpdir(), 'twofold-production-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the production start (compiled JavaScript)', () => {
  it('starts without tsx, migrates, answers, signs up and logs in, and serves its web app', async () => {
    server = await startApiProcess({
      compiled: join(outDir, 'api/server.js'),
      cwd: dir,
      databaseUrl: join(dir, 'twofold.sqlite'),
      secretKey: randomBytes(32).toString('hex'),
      outboxPath: join(dir, 'outbox.jsonl'),
      env: { LOG_LEVEL: 'info' },
    });
    const cmdline = String(server.child.spawnargs.join(' '));
    expect(cmdline).not.toContain('tsx');

    const health = await fetch(`${server.url}/api/v1/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    const headers = { 'content-type': 'application/json', origin: server.url };
    const email = `prod-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'correct horse battery staple 42';
    const signup = await fetch(`${server.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email, password, name: 'Prod Uction' }),
    });
    expect(signup.status, await signup.clone().text()).toBe(201);
    // A guessable password is refused (the strength check's dictionaries load on demand in the compiled build too).
    const weak = await fetch(`${server.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: `weak-${email}`, password: 'password123', name: 'Weak' }),
    });
    expect(weak.status).toBe(400);

    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
    expect(login.status, await login.clone().text()).toBe(200);
    const token = ((await login.json()) as { session?: { token?: string } }).session?.token;
    expect(token).toBeTruthy();
    const session = await fetch(`${server.url}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(session.status).toBe(200);

    const page = await fetch(`${server.url}/`);
    expect(await page.text()).toContain('compiled web app');

    // SIGTERM: a clean exit, and the request lines the asynchronous log held are written out, without the password.
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    const out = server.output();
    expect(out).toContain('"route":"/api/v1/auth/login"');
    expect(out).toContain('"msg":"shut down"');
    expect(out).not.toContain(password);
  });
});
