// Session checks beside a flood of sign-ins, at each ARGON2_CONCURRENCY given (default 1 and 2): what the number of
// password hashes at once costs everyone else. Each setting gets its own production start (dist/api/server.js, as
// `npm run build` makes it; build first) on SQLite; per round and setting, 5 connections check sessions alone for
// 5 s, then beside 5 connections signing in (step 1 with the right password: one argon2id verify each, never
// throttled, 2,500 users), and the CPU the server spent during the flood.
// Usage: npx tsx bench/login-flood.ts [rounds, default 3] [concurrency…, default 1 2]
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { HASH_OPTIONS } from '../api/crypto/passwords.ts';
import { COMPILED_SERVER, startApiProcess, type ChildServer } from '../test/support/process.ts';
import { migratedSqlite, openSeeder } from './seed.ts';
import { cpuSeconds, percentile } from './proc.ts';

const [roundsArg, ...levels] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 3);
const CONCURRENCY = levels.length > 0 ? levels : ['1', '2'];
const PASSWORD = 'correct horse battery staple 42';
const dir = mkdtempSync(join(tmpdir(), 'lf-'));
const passwordHash = await hash(PASSWORD, HASH_OPTIONS);
const servers: { conc: string; server: ChildServer; tokens: string[]; emails: string[] }[] = [];
try {
  for (const conc of CONCURRENCY) {
    const file = join(dir, `t${conc}.sqlite`);
    const key = randomBytes(32).toString('hex');
    await migratedSqlite(file);
    const seed = openSeeder(file, key);
    const users = await seed.users(3000, passwordHash);
    const tokens = await seed.sessions(users.slice(0, 500).map((u) => u.id));
    await seed.close();
    const server = await startApiProcess({
      compiled: COMPILED_SERVER,
      databaseUrl: file,
      secretKey: key,
      outboxPath: join(dir, `o${conc}.jsonl`),
      // As an operator runs it (and `npm run bench`): the default level, to a file.
      env: { LOG_LEVEL: 'info', ARGON2_CONCURRENCY: conc },
      outputFile: join(dir, `twofold-${conc}.log`),
    });
    servers.push({ conc, server, tokens, emails: users.slice(500).map((u) => u.email) });
  }
  const sessions = (s: (typeof servers)[0]) => {
    let i = 0;
    const lat: number[] = [];
    const run = autocannon({
      url: `${s.server.url}/api/v1/session`,
      connections: 5,
      duration: 5,
      requests: [{ setupRequest: (q: object) => ({ ...q, headers: { authorization: `Bearer ${s.tokens[i++ % 500]}` } }) }],
    }) as Promise<autocannon.Result> & { on(event: 'response', listener: (...args: any[]) => void): void };
    // Each answer's own latency (as bench/run.ts takes its p99s), not autocannon's whole-millisecond histogram.
    run.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      if (status === 200) lat.push(ms);
    });
    return run.then((r) => ({ rps: r.requests.average, p99: percentile(lat, 0.99) }));
  };
  let n = 0;
  const logins = (s: (typeof servers)[0]) =>
    autocannon({
      url: s.server.url,
      connections: 5,
      duration: 5,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (q: object) => ({ ...q, body: JSON.stringify({ email: s.emails[n++ % s.emails.length], password: PASSWORD }) }),
        },
      ],
    }).then((r) => ({ rps: r.requests.average, codes: { '2xx': r['2xx'], non2xx: r.non2xx } }));
  for (const s of servers) await sessions(s);
  for (let r = 0; r < ROUNDS; r++)
    for (const s of servers) {
      const alone = await sessions(s);
      const c0 = cpuSeconds(s.server.pid);
      const [beside, flood] = await Promise.all([sessions(s), logins(s)]);
      console.log(
        `round ${r + 1} ARGON2_CONCURRENCY=${s.conc}: sessions alone ${alone.rps.toFixed(0)}/s p99 ${alone.p99.toFixed(2)} ms | beside logins ${beside.rps.toFixed(0)}/s p99 ${beside.p99.toFixed(2)} ms (${(beside.p99 / alone.p99).toFixed(2)}×) | logins ${flood.rps.toFixed(0)}/s ${JSON.stringify(flood.codes)} | cpu ${(cpuSeconds(s.server.pid) - c0).toFixed(1)} s`,
      );
    }
} finally {
  for (const s of servers) await s.server.stop();
  rmSync(dir, { recursive: true, force: true });
}
