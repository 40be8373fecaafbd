// CPU per session check, Twofold (SQLite) against the ceiling (bench/servers/session-ceiling.ts: Twofold's lookup
// and answer in bare Koa):
// the server process's utime+stime from /proc over a fixed number of GET /session requests, alternating, so a busy
// machine moves both alike. Narrower and quicker than `npm run bench` (about a minute), for deciding changes.
// Twofold runs as the production start (dist/api/server.js, compiled first as `npm run build` does); `--profile` adds
// --cpu-prof to both servers (bench/profiles/twofold/, bench/profiles/ceiling/; summarise with bench/profile-summary.ts).
// `--layers` adds Twofold's app with layers left out (bench/servers/layers.ts, under tsx like the ceiling): the
// difference to the whole app is what those layers cost a check.
// `--base=DIR` measures this build against an earlier one instead of the ceiling: DIR is a copy of dist/ made before
// a change (`cp -r dist bench/profiles/base`), started as the production start (with this tree's node flags) on a
// database of its own. Each round runs both at once and gives this build's CPU per check as a share of the base's;
// the end gives the median of the rounds.
// Made for deciding changes of a few percent, which this machine's swings between runs (a quarter) hide.
// `--alloc` runs V8's sampling heap profiler in Twofold, the ceiling and the base (bench/servers/heap-sampler.mjs) and
// prints, at the end, the bytes each allocates per check and the functions that allocate most. Unlike CPU time, the
// bytes do not move with the machine's load; the profile that found @koa/router's per-route cost (bench/README.md).
// Usage: npx tsx bench/cpu-per-check.ts [requests per run, default 20000] [rounds, default 3] [--profile] [--layers] [--base=DIR] [--alloc]
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { COMPILED_SERVER, startApiProcess, startServerProcess, type ChildServer } from '../test/support/process.ts';
import { migratedSqlite, openSeeder, sqliteWithSessions } from './seed.ts';
import { cpuSeconds, cpuSplit } from './proc.ts';
import { buildServer } from '../api/build.ts';
import { summariseAllocations } from './allocation-summary.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const REQUESTS = Number(args[0] ?? 20_000);
const ROUNDS = Number(args[1] ?? 3);
const ALLOC = process.argv.includes('--alloc');
const heapProfileOf = (name: string) => `bench/profiles/${name}.heapprofile`;
const profile = (name: string) => (process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=bench/profiles/${name}`] : []);
/** Node flags and environment for a server's profiles. */
const nodeArgsFor = (name: string) => [...profile(name), ...(ALLOC ? ['--import', './bench/servers/heap-sampler.mjs'] : [])];
const envFor = (name: string) => (ALLOC ? { HEAP_PROFILE: heapProfileOf(name) } : {});
/** Requests each server answered, by pid: what --alloc divides by. */
const served = new Map<number, number>();
/** The pids of the servers --alloc profiles, by name. */
const sampled = new Map<string, number>();
/** The whole app as the layer runs start it (under tsx), without the observability layers, then without the front
 * door as well (errors and routes are left). */
const LEFT_OUT = {
  'whole app, under tsx': [],
  'no metrics, no request log': ['metrics', 'request log'],
  'routes and errors only': ['metrics', 'request log', 'security headers', 'client address', 'browser origin', 'json body', 'nul check'],
} as const;
const BASE = process.argv.find((a) => a.startsWith('--base='))?.slice('--base='.length);
const POOL = 500;

const percent = (ratio: number) => `${(100 * ratio).toFixed(1)}%`;

async function run(
  server: ChildServer,
  path: string,
  auth: (i: number) => string,
): Promise<{ rps: number; cpuUs: number; kernelUs: number; mainUs: number }> {
  let i = 0;
  const before = cpuSplit(server.pid);
  const mainBefore = cpuSeconds(server.pid, server.pid);
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: 10,
    amount: REQUESTS,
    requests: [{ setupRequest: (req: object) => ({ ...req, headers: { authorization: auth(i++ % POOL) } }) }],
  });
  const after = cpuSplit(server.pid);
  const mainUs = ((cpuSeconds(server.pid, server.pid) - mainBefore) * 1e6) / REQUESTS;
  const cpu = after.user + after.kernel - before.user - before.kernel;
  served.set(server.pid, (served.get(server.pid) ?? 0) + REQUESTS);
  if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers`);
  return {
    rps: result.requests.average,
    cpuUs: (cpu * 1e6) / REQUESTS,
    kernelUs: ((after.kernel - before.kernel) * 1e6) / REQUESTS,
    mainUs,
  };
}

buildServer();
const dir = mkdtempSync(join(tmpdir(), 'cpu-per-check-'));
const servers: ChildServer[] = [];
try {
  const file = join(dir, 'twofold.sqlite');
  const secretKey = randomBytes(32).toString('hex');
  await migratedSqlite(file);
  /** Session tokens of POOL users, each with an account and a TOTP factor, written into a migrated database. */
  const seedSessions = async (databaseFile: string): Promise<string[]> => {
    const seed = openSeeder(databaseFile, secretKey);
    const users = await seed.users(POOL, 'x');
    const tokens = await seed.sessions(users.map((u) => u.id));
    await seed.close();
    return tokens;
  };
  const tokens = await seedSessions(file);
  const twofold = await startApiProcess({
    compiled: COMPILED_SERVER,
    nodeArgs: nodeArgsFor('twofold'),
    databaseUrl: file,
    secretKey,
    outboxPath: join(dir, 'outbox.jsonl'),
    // As an operator runs it (and `npm run bench`): the default level, to a file.
    env: { LOG_LEVEL: 'info', ...envFor('twofold') },
    outputFile: join(dir, 'twofold.log'),
  });
  servers.push(twofold);
  sampled.set('twofold', twofold.pid);
  // The ceiling: Twofold's lookup and answer in bare Koa, on a database of its own that Twofold's migrations made.
  const ceilingFile = join(dir, 'ceiling.sqlite');
  const ceilingTokens = await sqliteWithSessions(ceilingFile, POOL, 'x');
  const ceiling = await startServerProcess({
    script: 'bench/servers/session-ceiling.ts',
    readyPath: '/health',
    nodeArgs: nodeArgsFor('ceiling'),
    env: { DB_PATH: ceilingFile, ...envFor('ceiling') },
  });
  servers.push(ceiling);
  sampled.set('ceiling', ceiling.pid);
  // The base on a database of its own, migrated by the base itself at its start (it may know fewer migrations),
  // then seeded by this build's seeder.
  const baseFile = join(dir, 'base.sqlite');
  const base = BASE
    ? await startApiProcess({
        compiled: join(BASE, 'api/server.js'),
        databaseUrl: baseFile,
        secretKey,
        outboxPath: join(dir, 'outbox-base.jsonl'),
        nodeArgs: nodeArgsFor('base'),
        env: { LOG_LEVEL: 'info', ...envFor('base') },
        outputFile: join(dir, 'base.log'),
      })
    : null;
  if (base) servers.push(base);
  if (base) sampled.set('base', base.pid);
  const baseTokens = base ? await seedSessions(baseFile) : [];
  const auth = (i: number) => `Bearer ${tokens[i]}`;
  const baseAuth = (i: number) => `Bearer ${baseTokens[i]}`;
  const systems = [
    { name: 'twofold', server: twofold, path: '/api/v1/session', auth },
    { name: 'ceiling', server: ceiling, path: '/session', auth: (i: number) => `Bearer ${ceilingTokens[i]}` },
  ];
  if (base) systems.push({ name: 'base', server: base, path: '/api/v1/session', auth: baseAuth });
  if (process.argv.includes('--layers'))
    for (const [name, leaveOut] of Object.entries(LEFT_OUT)) {
      const server = await startServerProcess({
        script: 'bench/servers/layers.ts',
        readyPath: '/api/v1/health',
        env: { DATABASE_URL: file, SECRET_KEY: secretKey, LOG_LEVEL: 'info', LEAVE_OUT: leaveOut.join(',') },
        outputFile: join(dir, `layers-${Object.keys(LEFT_OUT).indexOf(name)}.log`),
      });
      servers.push(server);
      systems.push({ name, server, path: '/api/v1/session', auth });
    }
  // Warm each (JIT, statement caches), then measure.
  for (const s of systems) await run(s.server, s.path, s.auth);
  if (base) {
    // Both builds at once, each with its own 10 connections: whatever else the machine does meanwhile, both pay for
    // it. Alternating runs of one build against itself differed by up to 46%; at once, by up to 10%.
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [t, b] = await Promise.all([run(twofold, '/api/v1/session', auth), run(base, '/api/v1/session', baseAuth)]);
      ratios.push(t.cpuUs / b.cpuUs);
      console.log(
        `round ${r + 1}: this build ${t.cpuUs.toFixed(1)} µs CPU/check, the base ${b.cpuUs.toFixed(1)} µs: ${percent(t.cpuUs / b.cpuUs)}`,
      );
    }
    ratios.sort((x, y) => x - y);
    console.log(
      `this build against the base: median ${percent(ratios[Math.floor(ratios.length / 2)]!)} of its CPU per check (${ratios.map(percent).join(' / ')})`,
    );
  } else
    for (let r = 0; r < ROUNDS; r++) {
      const results = [];
      for (const s of systems) results.push({ name: s.name, ...(await run(s.server, s.path, s.auth)) });
      const [t, c] = results as [(typeof results)[0], (typeof results)[0]];
      console.log(
        `round ${r + 1}: twofold ${t.rps.toFixed(0)} req/s, ${t.cpuUs.toFixed(0)} µs CPU/check (kernel ${t.kernelUs.toFixed(0)}, main thread ${t.mainUs.toFixed(0)}) | ceiling ${c.rps.toFixed(0)} req/s, ${c.cpuUs.toFixed(0)} µs CPU/check (kernel ${c.kernelUs.toFixed(0)}, main thread ${c.mainUs.toFixed(0)}) | ${((100 * t.rps) / c.rps).toFixed(0)}% of the rate, ${(t.cpuUs / c.cpuUs).toFixed(2)}× the CPU`,
      );
      for (const l of results.slice(2))
        console.log(
          `  ${l.name}: ${l.cpuUs.toFixed(0)} µs CPU/check (kernel ${l.kernelUs.toFixed(0)}, main thread ${l.mainUs.toFixed(0)}), ${l.rps.toFixed(0)} req/s`,
        );
    }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (ALLOC)
  for (const [name, pid] of sampled) {
    console.log(`\n${name}, allocated (${heapProfileOf(name)}):`);
    console.log(summariseAllocations(heapProfileOf(name), served.get(pid) ?? 0).join('\n'));
  }
