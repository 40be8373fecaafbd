// Real API processes for tests and the benchmark: `node --import tsx api/server.ts --no-build`, or the production
// start (`NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`, compiled by `npm run build`), on an
// explicit free port, and fresh PostgreSQL databases (created, then dropped with FORCE) for them to share.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import knex from 'knex';
import { PRODUCTION_NODE_FLAGS } from '../../api/build.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL server to use for tests that need one whatever the leg: TWOFOLD_PG_URL, a postgres DATABASE_URL, or the default. */
export function postgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TWOFOLD_PG_URL) return env.TWOFOLD_PG_URL;
  if (/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '')) return env.DATABASE_URL!;
  return DEFAULT_PG_URL;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PgDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE <prefix>_<random> on the server of `adminUrl`; throws (never skips) when PostgreSQL cannot be reached. */
export async function createPgDatabase(adminUrl: string, prefix: string): Promise<PgDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: { connectionString: adminUrl, connectionTimeoutMillis: 5000 }, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE "${name}"`);
  } catch (err) {
    throw new Error(
      `PostgreSQL at ${adminUrl.replace(/\/\/[^@]*@/, '//…@')} is needed and could not create a database: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    await admin.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const cleanup = knex({ client: 'pg', connection: { connectionString: adminUrl }, pool: { min: 0, max: 1 } });
      try {
        await cleanup.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

export interface ChildServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from the spawn to the first 200 on `readyPath` (to within `pollMs`). */
  readyMs: number;
  /** Everything the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Script to run, relative to the project root (or absolute); a `.ts` script runs under tsx, JavaScript as it is. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  port?: number;
  /** Working directory; the project root by default. */
  cwd?: string;
  /** Path answering 200 once the server is ready. */
  readyPath?: string;
  timeoutMs?: number;
  /** How often readiness is polled (100 ms); the bench polls more often to time the cold start. */
  pollMs?: number;
  /** A file the process writes its stdout and stderr to (appended), as a production start's log would be, instead
   * of a pipe this process reads: the bench's servers log every request, and a pipe would make it pay for them. */
  outputFile?: string;
}

/** The last 64 KiB of a file: what a failure message quotes of a server's log. */
function tail(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Starts a node process running a server on 127.0.0.1:<port> and resolves once `readyPath` answers 200. */
export async function startServerProcess(options: StartOptions): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  const loader = options.script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const outputFd = options.outputFile ? openSync(options.outputFile, 'a') : undefined;
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, options.script, ...(options.args ?? [])], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: options.outputFile ? ['ignore', outputFd!, outputFd!] : ['ignore', 'pipe', 'pipe'],
  });
  if (outputFd !== undefined) closeSync(outputFd); // the child holds its own copy
  let piped = '';
  child.stdout?.on('data', (d: Buffer) => {
    piped += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    piped += d.toString();
  });
  const output = () => (options.outputFile ? tail(options.outputFile) : piped);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (done) throw new Error(`${options.script} exited before it was ready (exit ${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(url + (options.readyPath ?? '/api/v1/health'), { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.script} was not ready within ${options.timeoutMs ?? 30_000} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
  const readyMs = performance.now() - spawnedAt;

  return {
    url,
    port,
    pid: child.pid!,
    child,
    readyMs,
    output,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The compiled server `npm run build` writes (buildServer in api/build.ts). */
export const COMPILED_SERVER = 'dist/api/server.js';

/** One Twofold API process: `api/server.ts --no-build` with the given database and key; with `compiled`, the
 * production start instead: `NODE_ENV=production node <PRODUCTION_NODE_FLAGS> <compiled>` (e.g. COMPILED_SERVER),
 * PUBLIC_URL its own address. */
export async function startApiProcess(options: {
  databaseUrl: string;
  secretKey: string;
  outboxPath: string;
  port?: number;
  env?: Record<string, string | undefined>;
  nodeArgs?: string[];
  compiled?: string;
  cwd?: string;
  pollMs?: number;
  outputFile?: string;
}): Promise<ChildServer> {
  const port = options.port ?? (await freePort());
  return startServerProcess({
    script: options.compiled ?? 'api/server.ts',
    args: options.compiled ? [] : ['--no-build'],
    port,
    cwd: options.cwd,
    pollMs: options.pollMs,
    outputFile: options.outputFile,
    nodeArgs: [...(options.compiled ? PRODUCTION_NODE_FLAGS : []), ...(options.nodeArgs ?? [])],
    env: {
      DATABASE_URL: options.databaseUrl,
      SECRET_KEY: options.secretKey,
      OUTBOX_PATH: options.outboxPath,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      SMS_PROVIDER: 'outbox',
      EMAIL_PROVIDER: 'outbox',
      TRUST_PROXY: '',
      ...(options.compiled ? { NODE_ENV: 'production', PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
      ...options.env,
    },
  });
}
