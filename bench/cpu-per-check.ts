// CPU per session check, Twofold (api/server.ts --no-build, SQLite) against the ceiling (bench/servers/ceiling.ts):
// the server process's utime+stime from /proc over a fixed number of GET /session requests, alternating, so a busy
// machine moves both alike. Narrower and quicker than `npm run bench` (about a minute), for deciding changes.
// Twofold runs as the production start (dist/api/server.js, compiled first as `npm run build` does); `--profile` adds
// --cpu-prof to both servers (bench/profiles/, one file each; summarise with bench/profile-summary.ts).
// Usage: npx tsx bench/cpu-per-check.ts [requests per run, default 20000] [rounds, default 3] [--profile]
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, migrateLatest } from '../api/db/db.ts';
import { COMPILED_SERVER, startApiProcess, startServerProcess, type ChildServer } from '../test/support/process.ts';
import { openSeeder } from './seed.ts';
import { buildServer } from '../api/build.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const REQUESTS = Number(args[0] ?? 20_000);
const ROUNDS = Number(args[1] ?? 3);
const profile = (name: string) =>
  process.argv.includes('--profile')
    ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles', `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
    : [];
const POOL = 500;
const CLK_TCK = 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function run(server: ChildServer, path: string, auth: (i: number) => string): Promise<{ rps: number; cpuUs: number }> {
  let i = 0;
  const before = cpuSeconds(server.pid);
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: 10,
    amount: REQUESTS,
    requests: [{ setupRequest: (req: object) => ({ ...req, headers: { authorization: auth(i++ % POOL) } }) }],
  });
  const cpu = cpuSeconds(server.pid) - before;
  if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, cpuUs: (cpu * 1e6) / REQUESTS };
}

buildServer();
const dir = mkdtempSync(join(tmpdir(), 'cpu-per-check-'));
const servers: ChildServer[] = [];
try {
  const file = join(dir, 'twofold.sqlite');
  const secretKey = randomBytes(32).toString('hex');
  const db = createDb({ client: 'sqlite', filename: file });
  await migrateLatest(db);
  await db.destroy();
  const seed = openSeeder(file, secretKey);
  const users = await seed.users(POOL, 'x');
  const tokens = await seed.sessions(users.map((u) => u.id));
  await seed.close();
  const twofold = await startApiProcess({
    compiled: COMPILED_SERVER,
    nodeArgs: profile('twofold'),
    databaseUrl: file,
    secretKey,
    outboxPath: join(dir, 'outbox.jsonl'),
    env: { LOG_LEVEL: 'warn' },
  });
  servers.push(twofold);
  const ceiling = await startServerProcess({
    script: 'bench/servers/ceiling.ts',
    readyPath: '/health',
    nodeArgs: profile('ceiling'),
    env: { DB_PATH: join(dir, 'ceiling.sqlite'), TOKENS: String(POOL) },
  });
  servers.push(ceiling);
  // Warm both (JIT, statement caches), then alternate.
  await run(twofold, '/api/v1/session', (i) => `Bearer ${tokens[i]}`);
  await run(ceiling, '/session', (i) => `Bearer ceiling-token-${i}`);
  for (let r = 0; r < ROUNDS; r++) {
    const t = await run(twofold, '/api/v1/session', (i) => `Bearer ${tokens[i]}`);
    const c = await run(ceiling, '/session', (i) => `Bearer ceiling-token-${i}`);
    console.log(
      `round ${r + 1}: twofold ${t.rps.toFixed(0)} req/s, ${t.cpuUs.toFixed(0)} µs CPU/check | ceiling ${c.rps.toFixed(0)} req/s, ${c.cpuUs.toFixed(0)} µs CPU/check | ${((100 * t.rps) / c.rps).toFixed(0)}% of the rate, ${(t.cpuUs / c.cpuUs).toFixed(2)}× the CPU`,
    );
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
