// `npm run bench`: Twofold against better-auth (+ twoFactor) and a bare Koa + better-sqlite3 ceiling, on this
// machine, in one run. Every server is a child process; autocannon runs here, on loopback, ≤ 20 connections and
// ≤ 10 s per run; systems alternate within each round, and each figure is the median of ROUNDS runs.
// Twofold runs as in production: compiled first (buildServer, as `npm run build`), then
// `NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`. Also times its cold start, and puts two
// processes behind a round-robin proxy (bench/servers/proxy.ts) on PostgreSQL to see how the session check scales
// from 1 to 2.
// Writes the table between the results markers of bench/README.md. `-- --profile` adds --cpu-prof to Twofold;
// `-- --retention` runs the retention scenario instead (bench/retention.ts).
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { URI } from 'otpauth';
import { generateTotp, TOTP_PERIOD_SECONDS } from '../shared/totp.ts';
import { buildServer, PRODUCTION_NODE_FLAGS } from '../api/build.ts';
import { HASH_OPTIONS } from '../api/crypto/passwords.ts';
import {
  COMPILED_SERVER,
  createPgDatabase,
  DEFAULT_PG_URL,
  ROOT,
  startApiProcess,
  startServerProcess,
  type ChildServer,
  type PgDatabase,
} from '../test/support/process.ts';
import { migratedSqlite, openSeeder, sqliteWithSessions } from './seed.ts';
import { cpuSeconds, memoryMb, percentile, rssMb } from './proc.ts';
import { runRetentionBench } from './retention.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const DURATION_S = 5;
const PASSWORD = 'correct horse battery staple 42';
const PROFILE = process.argv.includes('--profile');
/** BENCH_ONLY=coldstart,session,verify,signin,flood,scale runs only those groups (for profiling); the README table wants all. */
const ONLY = process.env.BENCH_ONLY?.split(',') ?? null;
const runs_ = (group: string) => !ONLY || ONLY.includes(group);
const PG_ADMIN = process.env.TWOFOLD_PG_URL ?? DEFAULT_PG_URL;

/** The TOTP code of now. */
const codeNow = (secret: string) => generateTotp(secret, Date.now());
const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
interface RunResult {
  rps: number;
  answered: number;
  ok: number;
  bad: number;
  p50: number;
  /** The 99th percentile of the 2xx answers' latencies in ms, from each answer's own time (autocannon's histogram
   * keeps whole milliseconds, and the flood's ratio then compared 4 ms against 1). */
  p99: number;
  seconds: number;
  peakRssMb?: number;
  /** Of the peak RSS, the anonymous part (proc.ts: memoryMb). */
  peakAnonMb?: number;
  cpuS?: number;
  /** Of cpuS, the main thread's (the event loop; argon2id hashes run on other threads). */
  mainCpuS?: number;
  statuses: Record<string, number>;
  /** A sign-in run that used every user of its pool and went round again (SIGNIN_POOL). */
  poolRanDry?: boolean;
}

/** What autocannon returns without a callback: its tracker, an EventEmitter made thenable (its types say a Promise),
 * which reports every answer with its own time in ms. */
type AutocannonRun = Promise<autocannon.Result> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};

/** One autocannon run; `requests` as autocannon takes them. Counts 2xx/other per run itself (setupRequest/onResponse). */
async function cannon(
  url: string,
  opts: { requests: any[]; amount?: number; connections?: number; watchPid?: number },
): Promise<RunResult> {
  const statuses: Record<string, number> = {};
  let lastAt = 0n;
  const requests = opts.requests.map((r) => ({
    ...r,
    onResponse: (status: number, body: string, context: any, headers: any) => {
      lastAt = process.hrtime.bigint();
      if (r.countAs !== false) statuses[status] = (statuses[status] ?? 0) + 1;
      r.onResponse?.(status, body, context, headers);
    },
  }));
  let peak = 0;
  let peakAnon = 0;
  const sampler = opts.watchPid
    ? setInterval(() => {
        try {
          const memory = memoryMb(opts.watchPid!);
          if (memory.rss > peak) [peak, peakAnon] = [memory.rss, memory.anon];
        } catch {
          /* gone */
        }
      }, 200)
    : null;
  const cpu0 = opts.watchPid ? cpuSeconds(opts.watchPid) : 0;
  const mainCpu0 = opts.watchPid ? cpuSeconds(opts.watchPid, opts.watchPid) : 0;
  const started = process.hrtime.bigint();
  const run = autocannon({
    url,
    connections: opts.connections ?? CONNECTIONS,
    requests,
    ...(opts.amount ? { amount: opts.amount } : { duration: DURATION_S }),
    timeout: 10,
  } as any) as unknown as AutocannonRun;
  const latenciesMs: number[] = [];
  run.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latenciesMs.push(ms);
  });
  const result = await run;
  // A fixed-amount run ends at autocannon's next 1-s tick: time it to its last answer instead.
  const seconds = Number((opts.amount && lastAt > started ? lastAt : process.hrtime.bigint()) - started) / 1e9;
  if (sampler) clearInterval(sampler);
  const cpuS = opts.watchPid ? cpuSeconds(opts.watchPid) - cpu0 : undefined;
  const mainCpuS = opts.watchPid ? cpuSeconds(opts.watchPid, opts.watchPid) - mainCpu0 : undefined;
  const ok = Object.entries(statuses)
    .filter(([s]) => s.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0);
  const bad =
    Object.entries(statuses)
      .filter(([s]) => !s.startsWith('2'))
      .reduce((n, [, c]) => n + c, 0) +
    result.errors +
    result.timeouts;
  return {
    rps: ok / seconds,
    answered: (ok + bad) / seconds,
    ok,
    bad,
    p50: result.latency.p50,
    p99: percentile(latenciesMs, 0.99),
    seconds,
    peakRssMb: peak || undefined,
    peakAnonMb: peakAnon || undefined,
    cpuS,
    mainCpuS,
    statuses,
  };
}

async function json(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  // Every setup call answers JSON (or nothing) when it succeeds.
  return { body: text ? JSON.parse(text) : null, headers: res.headers };
}

const cookiesOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='));

// ---------- the systems ----------

interface Twofold {
  name: string;
  server: ChildServer;
  secretKey: string;
  seed: ReturnType<typeof openSeeder>;
  sessionTokens: string[];
}

/** The production start (`NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`), PUBLIC_URL its
 * own address. */
async function startTwofold(name: string, databaseUrl: string, dir: string, secretKey = randomBytes(32).toString('hex')): Promise<Twofold> {
  const server = await startApiProcess({
    compiled: COMPILED_SERVER,
    databaseUrl,
    secretKey,
    outboxPath: join(dir, `${name}-outbox.jsonl`),
    // As an operator runs it: the default level (a line for every request but a successful read), to a file.
    env: { LOG_LEVEL: 'info' },
    outputFile: join(dir, `${name}.log`),
    nodeArgs: PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/profiles')}`] : [],
  });
  return { name, server, secretKey, seed: openSeeder(databaseUrl, secretKey), sessionTokens: [] };
}

/** An empty node process's memory once it runs (`node -e`, waiting): the floor under any node server's RSS. */
async function emptyNodeMemory(): Promise<{ rss: number; anon: number }> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('ready'); setTimeout(() => {}, 60_000)"]);
  try {
    await new Promise((resolve, reject) => {
      child.stdout.once('data', resolve);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`an empty node process exited (${code}) before it ran`)));
    });
    return memoryMb(child.pid!);
  } finally {
    child.kill();
  }
}

/** Production start to first answer: spawn to the first 200 of /api/v1/health (polled every 5 ms), on SQLite, with
 * the process's RSS right then. The first start migrates a new database; the restarts find it migrated. */
async function coldStarts(dir: string, restarts = 3) {
  const secretKey = randomBytes(32).toString('hex');
  const starts: { ms: number; rssMb: number; cpuMs: number }[] = [];
  for (let i = 0; i <= restarts; i++) {
    const server = await startApiProcess({
      compiled: COMPILED_SERVER,
      databaseUrl: join(dir, 'coldstart.sqlite'),
      secretKey,
      outboxPath: join(dir, 'coldstart-outbox.jsonl'),
      env: { LOG_LEVEL: 'info' },
      outputFile: join(dir, 'coldstart.log'),
      pollMs: 5,
    });
    starts.push({ ms: server.readyMs, rssMb: rssMb(server.pid), cpuMs: cpuSeconds(server.pid) * 1000 });
    await server.stop();
  }
  return { first: starts[0]!, restarts: starts.slice(1), emptyNode: await emptyNodeMemory() };
}

interface Peer {
  server: ChildServer;
  templateEmail: string;
  totpSecret: string;
  sessionCookies: string[];
}

async function startPeer(dir: string): Promise<Peer> {
  const server = await startServerProcess({
    script: 'bench/servers/better-auth.ts',
    readyPath: '/health',
    env: { DB_PATH: join(dir, 'better-auth.sqlite'), BA_SECRET: randomBytes(32).toString('hex') },
  });
  const base = `${server.url}/api/auth`;
  const origin = { origin: server.url };
  // The template user, through better-auth's own HTTP API: sign up, enable 2FA, verify the first TOTP code.
  const templateEmail = `template-${randomBytes(4).toString('hex')}@bench.test`;
  const signup = await json(`${base}/sign-up/email`, 'POST', { email: templateEmail, password: PASSWORD, name: 'Template' }, origin);
  const cookie = cookiesOf(signup.headers).join('; ');
  const enabled = await json(`${base}/two-factor/enable`, 'POST', { password: PASSWORD }, { ...origin, cookie });
  const totpSecret = (URI.parse(enabled.body.totpURI) as any).secret.base32 as string;
  await json(`${base}/two-factor/verify-totp`, 'POST', { code: codeNow(totpSecret) }, { ...origin, cookie });
  return { server, templateEmail, totpSecret, sessionCookies: [] };
}

async function peerUsers(peer: Peer, count: number): Promise<string[]> {
  const emails: string[] = [];
  for (let left = count; left > 0; left -= 200)
    emails.push(
      ...(await json(`${peer.server.url}/bench/clone`, 'POST', { fromEmail: peer.templateEmail, count: Math.min(200, left) })).body,
    );
  return emails;
}
async function peerChallenges(peer: Peer, emails: string[]): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < emails.length; i += 200)
    cookies.push(...(await json(`${peer.server.url}/bench/challenges`, 'POST', { emails: emails.slice(i, i + 200) })).body);
  return cookies;
}

// ---------- scenarios ----------

/** One JSON POST per request, the k-th (from 0) to `nth(k)`'s path with its body. */
function jsonPosts(nth: (k: number) => { path: string; body: unknown }) {
  let k = 0;
  return [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req: any) => {
        const { path, body } = nth(k++);
        return { ...req, path, body: JSON.stringify(body) };
      },
    },
  ];
}

/** Twofold's challenge verify, and a TOTP answer to it. */
const verifyPath = (challengeId: string) => `/api/v1/auth/challenge/${challengeId}/verify`;
const totpAnswer = (code: string) => ({ method: 'totp', code });

const SESSION_POOL = 500;

function sessionRequests(headerOf: (i: number) => Record<string, string>, path: string, n: number) {
  let i = 0;
  return [{ method: 'GET', path, setupRequest: (req: any) => ({ ...req, headers: { ...req.headers, ...headerOf(i++ % n) } }) }];
}

async function twofoldSession(t: Twofold, connections = CONNECTIONS) {
  return cannon(t.server.url, {
    connections,
    watchPid: t.server.pid,
    requests: sessionRequests((i) => ({ authorization: `Bearer ${t.sessionTokens[i]}` }), '/api/v1/session', t.sessionTokens.length),
  });
}
/** Session checks with Twofold's tokens, through a proxy (or any address in front of Twofold). */
const proxiedSession = (proxy: ChildServer, t: Twofold) =>
  cannon(proxy.url, {
    requests: sessionRequests((i) => ({ authorization: `Bearer ${t.sessionTokens[i]}` }), '/api/v1/session', t.sessionTokens.length),
  });
const peerSession = (p: Peer) =>
  cannon(p.server.url, {
    watchPid: p.server.pid,
    requests: sessionRequests((i) => ({ cookie: p.sessionCookies[i]! }), '/api/auth/get-session', p.sessionCookies.length),
  });
/** The session check's ceiling: Twofold's lookup and answer in bare Koa (bench/servers/session-ceiling.ts). */
const ceilingSession = (c: { server: ChildServer; tokens: string[] }) =>
  cannon(c.server.url, {
    watchPid: c.server.pid,
    requests: sessionRequests((i) => ({ authorization: `Bearer ${c.tokens[i]}` }), '/session', c.tokens.length),
  });
/** The ceiling until 2026-12-05, still reported: one 4-column lookup in a table of its own, a 5-header answer. */
const minimalSession = (c: ChildServer) =>
  cannon(c.url, {
    watchPid: c.pid,
    requests: sessionRequests((i) => ({ authorization: `Bearer ceiling-token-${i}` }), '/session', SESSION_POOL),
  });

/** A SQLite database migrated by Twofold with SESSION_POOL users and sessions, and the session ceiling on it. */
async function startSessionCeiling(dir: string, passwordHash: string): Promise<{ server: ChildServer; tokens: string[] }> {
  const file = join(dir, 'session-ceiling.sqlite');
  const tokens = await sqliteWithSessions(file, SESSION_POOL, passwordHash);
  const server = await startServerProcess({ script: 'bench/servers/session-ceiling.ts', readyPath: '/health', env: { DB_PATH: file } });
  return { server, tokens };
}

/** Challenges per verify run, from each system's (cold, so slower) warm-up rate: a warm run lasts about 3-4 s (≤ 10 s). */
const VERIFY_AMOUNT: Record<string, number> = { 'twofold-sqlite': 300, 'twofold-pg': 300, peer: 300, 'ceiling-tables': 300, ceiling: 300 };
const sizeFor = (rate: number) => Math.max(300, Math.min(5000, Math.round(rate * 6)));

async function twofoldVerify(t: Twofold, passwordHash: string) {
  const users = await t.seed.users(VERIFY_AMOUNT[t.name]!, passwordHash);
  const ids = await t.seed.challenges(users.map((u) => u.id));
  return cannon(t.server.url, {
    amount: ids.length,
    watchPid: t.server.pid,
    requests: jsonPosts((k) => ({ path: verifyPath(ids[k]!), body: totpAnswer(codeNow(users[k]!.secret)) })),
  });
}

/** The bare endpoint doing Twofold's reads and writes on Twofold's tables (bench/servers/verify-ceiling.ts): a
 * database Twofold's migrations made, seeded as Twofold's are before each run. */
interface VerifyCeiling {
  server: ChildServer;
  seed: ReturnType<typeof openSeeder>;
}
async function startVerifyCeiling(dir: string): Promise<VerifyCeiling> {
  const file = join(dir, 'verify-ceiling.sqlite');
  const secretKey = randomBytes(32).toString('hex');
  await migratedSqlite(file);
  const server = await startServerProcess({
    script: 'bench/servers/verify-ceiling.ts',
    readyPath: '/health',
    env: { DB_PATH: file, SECRET_KEY: secretKey },
  });
  return { server, seed: openSeeder(file, secretKey) };
}
async function tablesCeilingVerify(c: VerifyCeiling, passwordHash: string) {
  const users = await c.seed.users(VERIFY_AMOUNT['ceiling-tables']!, passwordHash);
  const ids = await c.seed.challenges(users.map((u) => u.id));
  return cannon(c.server.url, {
    amount: ids.length,
    watchPid: c.server.pid,
    requests: jsonPosts((k) => ({ path: `/verify/${ids[k]!}`, body: { code: codeNow(users[k]!.secret) } })),
  });
}

/** The same statements on lean tables of its own (bench/servers/ceiling.ts), on challenges it makes itself: the
 * bare endpoint until 2026-12-06, still reported. */
async function ceilingVerify(c: ChildServer) {
  const res = await fetch(`${c.url}/challenges/${VERIFY_AMOUNT.ceiling}`, { method: 'POST' });
  const made = (await res.json()) as { challengeId: string; secret: string }[];
  return cannon(c.url, {
    amount: made.length,
    watchPid: c.pid,
    requests: jsonPosts((k) => ({ path: `/verify/${made[k]!.challengeId}`, body: { code: codeNow(made[k]!.secret) } })),
  });
}

async function peerVerify(p: Peer) {
  const emails = await peerUsers(p, VERIFY_AMOUNT.peer!);
  const cookies = await peerChallenges(p, emails);
  let i = 0;
  return cannon(p.server.url, {
    amount: cookies.length,
    watchPid: p.server.pid,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/two-factor/verify-totp',
        setupRequest: (req: any) => ({
          ...req,
          headers: { ...req.headers, 'content-type': 'application/json', origin: p.server.url, cookie: cookies[i++]! },
          body: JSON.stringify({ code: codeNow(p.totpSecret) }),
        }),
      },
    ],
  });
}

/** Users per sign-in run, each signed in once: more than a run can use (a user signed in twice in one 30-s step is
 * refused by the replay guard, after a password hash that the run's CPU per sign-in would count). 700 was too few
 * for Twofold on a machine that signs in 140 a second (2026-12-05, night): its runs were capped at 700 sign-ins and
 * charged for the refused repeats. */
const SIGNIN_POOL = { twofold: 2500, peer: 700 };

/** Password, then the TOTP code: two requests per connection in turn; a sign-in counts when the second answers 2xx. */
async function twofoldSignIn(t: Twofold, passwordHash: string) {
  const users = await t.seed.users(SIGNIN_POOL.twofold, passwordHash);
  let next = 0;
  let exhausted = false;
  const result = await cannon(t.server.url, {
    watchPid: t.server.pid,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        countAs: false,
        setupRequest: (req: any, ctx: any) => {
          if (next >= users.length) exhausted = true;
          ctx.user = users[next++ % users.length];
          return { ...req, body: JSON.stringify({ email: ctx.user.email, password: PASSWORD }) };
        },
        onResponse: (status: number, body: string, ctx: any) => {
          ctx.challengeId = status === 200 ? JSON.parse(body).challengeId : 'none';
        },
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: any, ctx: any) => ({
          ...req,
          path: verifyPath(ctx.challengeId),
          body: JSON.stringify(totpAnswer(codeNow(ctx.user.secret))),
        }),
      },
    ],
  });
  if (exhausted) log(`  ! ${t.name}: sign-in user pool exhausted; raise SIGNIN_POOL`);
  return { ...result, poolRanDry: exhausted };
}

async function peerSignIn(p: Peer) {
  const emails = await peerUsers(p, SIGNIN_POOL.peer);
  let next = 0;
  const headers = { 'content-type': 'application/json', origin: p.server.url };
  return cannon(p.server.url, {
    watchPid: p.server.pid,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/sign-in/email',
        headers,
        countAs: false,
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ email: emails[next++ % emails.length], password: PASSWORD }) }),
        onResponse: (_s: number, _b: string, ctx: any, h: any) => {
          const raw: string[] = [];
          for (let k = 0; k < (h?.length ?? 0); k += 2) if (String(h[k]).toLowerCase() === 'set-cookie') raw.push(String(h[k + 1]));
          if (!Array.isArray(h) && h?.['set-cookie']) raw.push(...[].concat(h['set-cookie']));
          ctx.cookie = raw
            .map((c) => c.split(';')[0] ?? '')
            .filter((c) => c && !c.endsWith('='))
            .join('; ');
        },
      },
      {
        method: 'POST',
        path: '/api/auth/two-factor/verify-totp',
        setupRequest: (req: any, ctx: any) => ({
          ...req,
          headers: { ...headers, cookie: ctx.cookie ?? '' },
          body: JSON.stringify({ code: codeNow(p.totpSecret) }),
        }),
      },
    ],
  });
}

/** Attack: wrong codes at the challenges of victim users while other users check their sessions. */
async function flood(t: Twofold, passwordHash: string) {
  const victims = await t.seed.users(50, passwordHash);
  const perVictim = 20;
  const ids = await t.seed.challenges(victims.flatMap((v) => Array(perVictim).fill(v.id)));
  const kept = await t.seed.challenges(victims.map((v) => v.id));
  // One wrong code per victim, made before the run: wrong in every step the server accepts (±1) from a step before
  // now to two after, so for the whole run. Made per request, the three HMACs were load on the machine under test.
  const wrong = (secret: string) => {
    const now = Date.now();
    const valid = new Set([-2, -1, 0, 1, 2, 3].map((k) => generateTotp(secret, now + k * TOTP_PERIOD_SECONDS * 1000)));
    for (let n = 0; ; n++) {
      const c = String(n).padStart(6, '0');
      if (!valid.has(c)) return c;
    }
  };
  const wrongCodes = victims.map((v) => wrong(v.secret));
  const half = CONNECTIONS / 2;
  const [sessions, attack] = await Promise.all([
    twofoldSession(t, half),
    cannon(t.server.url, {
      connections: half,
      requests: jsonPosts((n) => {
        const k = n % ids.length;
        return { path: verifyPath(ids[k]!), body: totpAnswer(wrongCodes[Math.floor(k / perVictim)]!) };
      }),
    }),
  ]);
  // Every victim is locked now: the right code, on a challenge made before the flood, must be refused.
  let accepted = 0;
  let refused429 = 0;
  for (const [k, v] of victims.entries()) {
    const res = await fetch(t.server.url + verifyPath(kept[k]!), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(totpAnswer(codeNow(v.secret))),
    });
    if (res.ok) accepted++;
    if (res.status === 429) refused429++;
  }
  return { sessions, attack, accepted, refused429, victims: victims.length };
}

async function argonCpuMs(): Promise<number> {
  const stored = await argonHash(PASSWORD, HASH_OPTIONS);
  const n = 20;
  const before = process.cpuUsage();
  for (let k = 0; k < n; k++) await argonVerify(stored, PASSWORD);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

// ---------- the run ----------

const loadAtStart = loadavg()[0]!;

async function main() {
  if (process.argv.includes('--retention')) return runRetentionBench();
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'twofold-bench-'));
  if (PROFILE) mkdirSync(join(ROOT, 'bench/profiles'), { recursive: true });
  let pg: PgDatabase | undefined;
  const stops: (() => Promise<void>)[] = [];
  try {
    log(`machine: ${cpus().length}× ${cpus()[0]?.model}; node ${process.version}`);
    const passwordHash = await argonHash(PASSWORD, HASH_OPTIONS);
    // The reference CPU per sign-in is held to: measured here and again after each round of sign-ins, in the state
    // the machine is in then (one measurement at the start put it anywhere between 6 and 13 ms), and the median used.
    const argonRuns = [await argonCpuMs()];
    log(
      `one argon2id verify (m=${HASH_OPTIONS.memoryCost}, t=${HASH_OPTIONS.timeCost}, p=${HASH_OPTIONS.parallelism}): ${argonRuns[0]!.toFixed(1)} ms CPU`,
    );

    log('compiling the API (dist/api), as npm run build does');
    buildServer();
    let cold: Awaited<ReturnType<typeof coldStarts>> | undefined;
    if (runs_('coldstart')) {
      cold = await coldStarts(dir);
      log(
        `cold start (production, SQLite): first ${cold.first.ms.toFixed(0)} ms (migrating a new database), restarts ${cold.restarts.map((r) => r.ms.toFixed(0)).join(' / ')} ms (CPU ${cold.restarts.map((r) => r.cpuMs.toFixed(0)).join(' / ')} ms); RSS at first answer ${cold.restarts.map((r) => r.rssMb.toFixed(0)).join(' / ')} MB; an empty node process ${cold.emptyNode.rss.toFixed(0)} MB (anon ${cold.emptyNode.anon.toFixed(0)})`,
      );
    }

    pg = await createPgDatabase(PG_ADMIN, 'twofold_bench');
    const sqlite = await startTwofold('twofold-sqlite', join(dir, 'twofold.sqlite'), dir);
    stops.push(() => sqlite.server.stop());
    const postgres = await startTwofold('twofold-pg', pg.url, dir);
    stops.push(() => postgres.server.stop());
    const peer = await startPeer(dir);
    stops.push(() => peer.server.stop());
    const ceiling = await startServerProcess({
      script: 'bench/servers/ceiling.ts',
      readyPath: '/health',
      env: { DB_PATH: join(dir, 'ceiling.sqlite'), TOKENS: String(SESSION_POOL) },
    });
    stops.push(() => ceiling.stop());
    const sessionCeiling = await startSessionCeiling(dir, passwordHash);
    stops.push(() => sessionCeiling.server.stop());
    const verifyCeiling = await startVerifyCeiling(dir);
    stops.push(async () => {
      await verifyCeiling.seed.close();
      await verifyCeiling.server.stop();
    });
    log('servers up');

    // Session pools: the same number of live sessions for everyone.
    for (const t of [sqlite, postgres]) {
      const users = await t.seed.users(SESSION_POOL, passwordHash);
      t.sessionTokens = await t.seed.sessions(users.map((u) => u.id));
    }
    const peerEmails = await peerUsers(peer, SESSION_POOL);
    const peerCookies = await peerChallenges(peer, peerEmails);
    for (const c of peerCookies) {
      const res = await json(
        `${peer.server.url}/api/auth/two-factor/verify-totp`,
        'POST',
        { code: codeNow(peer.totpSecret) },
        { origin: peer.server.url, cookie: c },
      );
      peer.sessionCookies.push(
        cookiesOf(res.headers)
          .filter((x) => x.includes('session_token'))
          .join('; '),
      );
    }
    log('seeded session pools');

    const runs: Record<string, RunResult[]> = {};
    const record = (key: string, r: RunResult) => {
      runs[key] ??= [];
      runs[key].push(r);
      log(
        `  ${key}: ${r.rps.toFixed(0)}/s ok=${r.ok} bad=${r.bad} p99=${Number.isNaN(r.p99) ? '-' : `${r.p99.toFixed(2)}ms`}${r.peakRssMb ? ` rss=${r.peakRssMb.toFixed(0)}MB (anon ${r.peakAnonMb?.toFixed(0)})` : ''}${r.cpuS !== undefined && r.ok > 0 ? ` cpu/ok=${((r.cpuS * 1000) / r.ok).toFixed(2)}ms (main thread ${(((r.mainCpuS ?? 0) * 1000) / r.ok).toFixed(2)})` : ''} ${JSON.stringify(r.statuses)}`,
      );
    };

    // Warm-up (JIT, caches, pools), not recorded.
    log('warm-up');
    // Session checks warm only the runs that check sessions, so that a narrowed run's profile is of its own requests.
    if (runs_('session') || runs_('flood') || runs_('scale')) {
      await twofoldSession(sqlite);
      await twofoldSession(postgres);
      await peerSession(peer);
      await ceilingSession(sessionCeiling);
      await minimalSession(ceiling);
    }
    if (runs_('verify')) {
      const warm = {
        sq: await twofoldVerify(sqlite, passwordHash),
        pg: await twofoldVerify(postgres, passwordHash),
        ba: await peerVerify(peer),
        tables: await tablesCeilingVerify(verifyCeiling, passwordHash),
        ceil: await ceilingVerify(ceiling),
      };
      VERIFY_AMOUNT['twofold-sqlite'] = sizeFor(warm.sq.rps);
      VERIFY_AMOUNT['twofold-pg'] = sizeFor(warm.pg.rps);
      VERIFY_AMOUNT.peer = sizeFor(warm.ba.rps);
      VERIFY_AMOUNT['ceiling-tables'] = sizeFor(warm.tables.rps);
      VERIFY_AMOUNT.ceiling = sizeFor(warm.ceil.rps);
      log(
        `  verify warm-up: ${warm.sq.rps.toFixed(0)} / ${warm.pg.rps.toFixed(0)} / ${warm.ba.rps.toFixed(0)} per s; runs of ${JSON.stringify(VERIFY_AMOUNT)} challenges`,
      );
    }

    for (let round = 1; round <= ROUNDS && runs_('session'); round++) {
      log(`round ${round}: session check`);
      record('session/twofold-sqlite', await twofoldSession(sqlite));
      record('session/better-auth', await peerSession(peer));
      record('session/ceiling', await ceilingSession(sessionCeiling));
      record('session/minimal', await minimalSession(ceiling));
      record('session/twofold-pg', await twofoldSession(postgres));
    }
    for (let round = 1; round <= ROUNDS && runs_('verify'); round++) {
      log(`round ${round}: TOTP challenge verify`);
      record('verify/twofold-sqlite', await twofoldVerify(sqlite, passwordHash));
      record('verify/better-auth', await peerVerify(peer));
      record('verify/twofold-pg', await twofoldVerify(postgres, passwordHash));
      record('verify/ceiling-tables', await tablesCeilingVerify(verifyCeiling, passwordHash));
      record('verify/ceiling', await ceilingVerify(ceiling));
    }
    for (let round = 1; round <= ROUNDS && runs_('signin'); round++) {
      log(`round ${round}: full sign-in`);
      record('signin/twofold-sqlite', await twofoldSignIn(sqlite, passwordHash));
      record('signin/better-auth', await peerSignIn(peer));
      record('signin/twofold-pg', await twofoldSignIn(postgres, passwordHash));
      argonRuns.push(await argonCpuMs());
      log(`  one argon2id verify: ${argonRuns.at(-1)!.toFixed(1)} ms CPU`);
    }
    const floods: Awaited<ReturnType<typeof flood>>[] = [];
    for (let round = 1; round <= ROUNDS && runs_('flood'); round++) {
      log(`round ${round}: wrong-code flood`);
      record('flood-baseline/twofold-sqlite', await twofoldSession(sqlite, CONNECTIONS / 2));
      const f = await flood(sqlite, passwordHash);
      floods.push(f);
      record('flood-sessions/twofold-sqlite', f.sessions);
      record('flood-attack/twofold-sqlite', f.attack);
      log(`  locked victims refusing the right code: ${f.refused429}/${f.victims}, accepted: ${f.accepted}`);
    }

    // Scale-out on PostgreSQL: a second API process on the same database and key, and two round-robin proxies, one
    // in front of the first process alone and one in front of both, so both figures pay for the same proxy hop.
    if (runs_('scale')) {
      const second = await startTwofold('twofold-pg-2', pg.url, dir, postgres.secretKey);
      stops.push(() => second.server.stop());
      const toOne = await startServerProcess({ script: 'bench/servers/proxy.ts', env: { UPSTREAMS: `${postgres.server.port}` } });
      stops.push(() => toOne.stop());
      const toTwo = await startServerProcess({
        script: 'bench/servers/proxy.ts',
        env: { UPSTREAMS: `${postgres.server.port},${second.server.port}` },
      });
      stops.push(() => toTwo.stop());
      log('scale-out: warm-up');
      await proxiedSession(toOne, postgres);
      await proxiedSession(toTwo, postgres);
      for (let round = 1; round <= ROUNDS; round++) {
        log(`round ${round}: session check through the proxy, 1 and 2 processes (PostgreSQL)`);
        record('scale/1-process', await proxiedSession(toOne, postgres));
        record('scale/2-processes', await proxiedSession(toTwo, postgres));
      }
      log(
        `  1 → 2 processes: ${(median(runs['scale/2-processes']!.map((r) => r.rps)) / median(runs['scale/1-process']!.map((r) => r.rps))).toFixed(2)}×`,
      );
    }

    if (!ONLY) writeReport({ runs, floods, argonRuns, started, cold: cold! });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await pg?.drop().catch((err) => log('could not drop the PostgreSQL database:', err));
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeReport({
  runs,
  floods,
  argonRuns,
  started,
  cold,
}: {
  runs: Record<string, RunResult[]>;
  floods: { accepted: number; refused429: number; victims: number }[];
  /** One argon2id verify's CPU in ms: at the start, then after each round of sign-ins. */
  argonRuns: number[];
  started: number;
  cold: Awaited<ReturnType<typeof coldStarts>>;
}) {
  const med = (key: string, f: (r: RunResult) => number) => median((runs[key] ?? []).map(f));
  const rps = (key: string) => med(key, (r) => r.rps);
  const p99 = (key: string) => med(key, (r) => r.p99);
  const all = (key: string, f: (r: RunResult) => number, digits = 0) => (runs[key] ?? []).map((r) => f(r).toFixed(digits)).join(' / ');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
  const cpuPerSignIn = (key: string) => med(key, (r) => ((r.cpuS ?? 0) * 1000) / Math.max(1, r.ok));
  const argonMs = median(argonRuns);

  const sess = {
    sq: rps('session/twofold-sqlite'),
    pg: rps('session/twofold-pg'),
    ba: rps('session/better-auth'),
    ceil: rps('session/ceiling'),
  };
  const ver = {
    sq: rps('verify/twofold-sqlite'),
    pg: rps('verify/twofold-pg'),
    ba: rps('verify/better-auth'),
    tables: rps('verify/ceiling-tables'),
    lean: rps('verify/ceiling'),
  };
  // CPU of the server process per answered check, µs (utime+stime from /proc over the run).
  const cpuPerCheck = (key: string) => med(key, (r) => ((r.cpuS ?? 0) * 1e6) / Math.max(1, r.answered * r.seconds));
  const sign = { sq: rps('signin/twofold-sqlite'), pg: rps('signin/twofold-pg'), ba: rps('signin/better-auth') };
  const cpuSq = cpuPerSignIn('signin/twofold-sqlite');
  const ranDry = ['signin/twofold-sqlite', 'signin/twofold-pg'].some((key) => runs[key]?.some((r) => r.poolRanDry));
  const dry = ranDry
    ? ' (**a run used up its users and went round again: capped, and charged for refused repeats; raise SIGNIN_POOL**)'
    : '';
  /** A sign-in row's mark: none of its figures stand when a run went round its users again. */
  const signInMark = (ok: boolean) => (ranDry ? '**not measured**' : mark(ok));
  const floodP99 = p99('flood-sessions/twofold-sqlite');
  const baseP99 = p99('flood-baseline/twofold-sqlite');
  const accepted = floods.reduce((n, f) => n + f.accepted, 0);
  const refused = floods.reduce((n, f) => n + f.refused429, 0);
  const victims = floods.reduce((n, f) => n + f.victims, 0);
  const peaks = (key: string) => (runs[key] ?? []).map((r) => r.peakRssMb ?? 0);
  const anonAtPeaks = (key: string) => (runs[key] ?? []).map((r) => (r.peakAnonMb ?? 0).toFixed(0)).join(' / ');
  const isFlat = (mb: number[]) => Math.max(...mb) - Math.min(...mb) <= Math.max(10, 0.1 * Math.max(...mb));
  /** RSS under one scenario's load on both engines: the row, and whether it meets the target. */
  const rssRow = (label: string, scenario: string) => {
    const [sqlite, pg] = [peaks(`${scenario}/twofold-sqlite`), peaks(`${scenario}/twofold-pg`)];
    const met = Math.max(...sqlite, ...pg) <= 120 && isFlat(sqlite) && isFlat(pg);
    const anon = `anonymous (not shared) at those peaks: ${anonAtPeaks(`${scenario}/twofold-sqlite`)} (SQLite), ${anonAtPeaks(`${scenario}/twofold-pg`)} (PostgreSQL)`;
    return `| RSS under ${label} load, MB (peak per run) | ${sqlite.map((x) => x.toFixed(0)).join(' / ')} | ${pg.map((x) => x.toFixed(0)).join(' / ')} | ${anon} | | ≤ 120, flat | ${mark(met)} |`;
  };
  const coldMs = median(cold.restarts.map((r) => r.ms));
  const scale = { one: rps('scale/1-process'), two: rps('scale/2-processes') };

  const table = [
    `Made by \`npm run bench\` on ${new Date(started).toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model}, node ${process.version}, better-auth ${betterAuthVersion()}; Twofold as the production start (\`NODE_ENV=production node ${PRODUCTION_NODE_FLAGS.join(' ')} ${COMPILED_SERVER}\`), logging at its default level to a file.`,
    `Loopback, ${CONNECTIONS} connections (flood: ${CONNECTIONS / 2} checking sessions + ${CONNECTIONS / 2} attacking), runs of ${DURATION_S} s (verify: a fixed number of pre-made challenges, one per request, timed to the last answer),`,
    `systems alternating within each of ${ROUNDS} rounds; figures are medians (all runs after the slash-separated lists). Took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine makes every figure noisier; the ratios come from alternating runs).`,
    '',
    '| scenario | Twofold SQLite | Twofold PostgreSQL | peer / ceiling | ratio | target | |',
    '|---|---|---|---|---|---|---|',
    `| session check, req/s | ${sess.sq.toFixed(0)} (${all('session/twofold-sqlite', (r) => r.rps)}) | ${sess.pg.toFixed(0)} (${all('session/twofold-pg', (r) => r.rps)}) | better-auth get-session ${sess.ba.toFixed(0)} (${all('session/better-auth', (r) => r.rps)}); the ceiling below is ${ratio(sess.ceil, sess.ba)} it | ${ratio(sess.sq, sess.ba)} | ≥ 10× peer | ${mark(sess.sq >= 10 * sess.ba)} |`,
    `| session check vs ceiling | | | bare Koa + better-sqlite3, Twofold's lookup and answer ${sess.ceil.toFixed(0)} (${all('session/ceiling', (r) => r.rps)}) | ${((100 * sess.sq) / sess.ceil).toFixed(1)}% | ≥ 50% of ceiling | ${mark(sess.sq >= 0.5 * sess.ceil)} |`,
    `| session check vs a minimal endpoint (the ceiling until 2026-12-05) | | | bare Koa + better-sqlite3, a 4-column lookup, a 5-header answer ${rps('session/minimal').toFixed(0)} (${all('session/minimal', (r) => r.rps)}) | ${((100 * sess.sq) / rps('session/minimal')).toFixed(1)}% | (reported) | |`,
    `| session check p99, ms | ${p99('session/twofold-sqlite').toFixed(1)} | ${p99('session/twofold-pg').toFixed(1)} | better-auth ${p99('session/better-auth').toFixed(1)}, ceiling ${p99('session/ceiling').toFixed(1)} | | | |`,
    `| CPU per session check, µs | ${cpuPerCheck('session/twofold-sqlite').toFixed(0)} | ${cpuPerCheck('session/twofold-pg').toFixed(0)} | ceiling ${cpuPerCheck('session/ceiling').toFixed(0)} (the minimal endpoint ${cpuPerCheck('session/minimal').toFixed(0)}, ${ratio(cpuPerCheck('session/twofold-sqlite'), cpuPerCheck('session/minimal'))}) | ${ratio(cpuPerCheck('session/twofold-sqlite'), cpuPerCheck('session/ceiling'))} | ≤ 2× ceiling | ${mark(cpuPerCheck('session/twofold-sqlite') <= 2 * cpuPerCheck('session/ceiling'))} |`,
    `| PostgreSQL vs SQLite, session check | | | | ${((100 * sess.pg) / sess.sq).toFixed(1)}% | ≥ 60% | ${mark(sess.pg >= 0.6 * sess.sq)} |`,
    `| session check through a round-robin proxy, req/s: 1 → 2 API processes | | ${scale.one.toFixed(0)} (${all('scale/1-process', (r) => r.rps)}) → ${scale.two.toFixed(0)} (${all('scale/2-processes', (r) => r.rps)}) | | ${ratio(scale.two, scale.one)} | (reported) | |`,
    `| TOTP challenge verify, req/s | ${ver.sq.toFixed(0)} (${all('verify/twofold-sqlite', (r) => r.rps)}) | ${ver.pg.toFixed(0)} (${all('verify/twofold-pg', (r) => r.rps)}) | better-auth verify-totp ${ver.ba.toFixed(0)} (${all('verify/better-auth', (r) => r.rps)}); the bare endpoints below are ${ratio(ver.tables, ver.ba)} and ${ratio(ver.lean, ver.ba)} it | ${ratio(ver.sq, ver.ba)} | ≥ 10× peer | ${mark(ver.sq >= 10 * ver.ba)} |`,
    `| TOTP challenge verify vs a bare endpoint | | | bare Koa + better-sqlite3, Twofold's statements on Twofold's tables ${ver.tables.toFixed(0)} (${all('verify/ceiling-tables', (r) => r.rps)}) | ${((100 * ver.sq) / ver.tables).toFixed(1)}% | ≥ 50% | ${mark(ver.sq >= 0.5 * ver.tables)} |`,
    `| TOTP challenge verify vs a bare endpoint on lean tables (the bare endpoint until 2026-12-06) | | | bare Koa + better-sqlite3, the same statements on tables of its own ${ver.lean.toFixed(0)} (${all('verify/ceiling', (r) => r.rps)}) | ${((100 * ver.sq) / ver.lean).toFixed(1)}% | (reported) | |`,
    `| full sign-in with TOTP, sign-ins/s${dry} | ${sign.sq.toFixed(1)} (${all('signin/twofold-sqlite', (r) => r.rps, 1)}) | ${sign.pg.toFixed(1)} (${all('signin/twofold-pg', (r) => r.rps, 1)}) | better-auth sign-in + verify-totp ${sign.ba.toFixed(1)} (${all('signin/better-auth', (r) => r.rps, 1)}) | ${ratio(sign.sq, sign.ba)} | ≥ 5× peer | ${signInMark(sign.sq >= 5 * sign.ba)} |`,
    `| CPU per sign-in, ms | ${cpuSq.toFixed(1)} | ${cpuPerSignIn('signin/twofold-pg').toFixed(1)} | one argon2id verify ${argonMs.toFixed(1)} (${argonRuns.map((ms) => ms.toFixed(1)).join(' / ')}); better-auth ${cpuPerSignIn('signin/better-auth').toFixed(1)} | ${ratio(cpuSq, argonMs)} | ≤ 1.3× one hash | ${signInMark(cpuSq <= 1.3 * argonMs)} |`,
    `| session check p99 under a wrong-code flood, ms | ${floodP99.toFixed(1)} (${all('flood-sessions/twofold-sqlite', (r) => r.p99, 1)}) vs ${baseP99.toFixed(1)} (${all('flood-baseline/twofold-sqlite', (r) => r.p99, 1)}) without | | flood: ${med('flood-attack/twofold-sqlite', (r) => r.answered).toFixed(0)} wrong codes/s answered (401/429) | ${ratio(floodP99, baseP99)} | ≤ 2× | ${mark(floodP99 <= 2 * baseP99)} |`,
    `| right code for a locked user after the flood | ${refused}/${victims} refused (429), ${accepted} accepted | | | | none accepted | ${mark(accepted === 0)} |`,
    rssRow('session check', 'session'),
    rssRow('TOTP verify', 'verify'),
    rssRow('full sign-in', 'signin'),
    `| cold start: production start to first answer, ms | ${coldMs.toFixed(0)} (${cold.restarts.map((r) => r.ms.toFixed(0)).join(' / ')}); first start, migrating a new database: ${cold.first.ms.toFixed(0)} | | CPU until then ${cold.restarts.map((r) => r.cpuMs.toFixed(0)).join(' / ')} ms; RSS then ${cold.restarts.map((r) => r.rssMb.toFixed(0)).join(' / ')} MB; an empty node process: ${cold.emptyNode.rss.toFixed(0)} MB, ${cold.emptyNode.anon.toFixed(0)} of it anonymous | | ≤ 1000 | ${mark(coldMs <= 1000)} |`,
  ].join('\n');

  const path = join(ROOT, 'bench/README.md');
  const readme = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark\n\n<!-- results:start -->\n<!-- results:end -->\n';
  const start = readme.indexOf('<!-- results:start -->');
  const end = readme.indexOf('<!-- results:end -->');
  const out =
    start >= 0 && end > start
      ? `${readme.slice(0, start)}<!-- results:start -->\n${table}\n${readme.slice(end)}`
      : `${readme}\n<!-- results:start -->\n${table}\n<!-- results:end -->\n`;
  writeFileSync(path, out);
  console.log(`\n${table}\n`);
  log(`wrote ${path}`);
}

function betterAuthVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/better-auth/package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
