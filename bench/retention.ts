// `npm run bench -- --retention`: 20,000 sign-ins against a Twofold process on SQLite and on PostgreSQL, then the
// table sizes before and after retention sweeps (api/retention.ts). Writes its table between the retention markers
// of bench/README.md. BENCH_SIGNINS=n changes the number of sign-ins (the README's figures use the default).
//
// The traffic, per engine, through HTTP (10 concurrent clients):
//   70% password + TOTP;
//   15% password, a wrong TOTP code, the right one, then sign-out (an ended session, with its reason);
//   15% password, an email code sent (a code row and a send record), TOTP with "remember this device";
//   and one wrong password for every ten sign-ins.
// The sweeps run from this process, as another instance would, on the same database: first as of now (nothing may
// go: everything is live or inside its tail), then as of 8 days later (past every tail but trusted devices and
// audit events), 38 days later (devices remembered for 30 days, plus their 7-day tail) and 366 days later (audit).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hash as argonHash } from '@node-rs/argon2';
import { generateTotp } from '../shared/totp.ts';
import { retentionRules, sweepExpired } from '../api/ops/retention.ts';
import { createPgDatabase, DEFAULT_PG_URL, ROOT, startApiProcess, type ChildServer, type PgDatabase } from '../test/support/process.ts';
import { openSeeder, type SeededUser } from './seed.ts';
import { HASH_OPTIONS } from '../api/crypto/passwords.ts';

const SIGNINS = Number(process.env.BENCH_SIGNINS ?? 20_000);
const CLIENTS = 10;
const PASSWORD = 'correct horse battery staple 42';
const PG_ADMIN = process.env.TWOFOLD_PG_URL ?? DEFAULT_PG_URL;
const DAY_MS = 24 * 3600_000;
const AUDIT_RETENTION_DAYS = 365;

const log = (...args: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

type Kind = 'totp' | 'wrong-then-right' | 'email-code';
const kindOf = (i: number): Kind => (i % 20 < 14 ? 'totp' : i % 20 < 17 ? 'wrong-then-right' : 'email-code');

interface EngineResult {
  engine: string;
  signIns: number;
  refused: number;
  failures: number;
  trafficSeconds: number;
  sizes: { label: string; counts: Record<string, number>; sweepMs?: number; deleted?: number }[];
}

/** Each sign-in comes from an address of its own (the server trusts X-Forwarded-For here), as from many people. */
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function post(url: string, body: unknown, from: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function wrongCode(secret: string): string {
  const now = Date.now();
  const valid = new Set([-1, 0, 1].map((k) => generateTotp(secret, now + k * 30_000)));
  for (let n = 0; ; n++) if (!valid.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
}

/** One sign-in of `kind` for `user`; true when it ended with a session. */
async function signIn(base: string, user: SeededUser, kind: Kind, from: string): Promise<boolean> {
  const login = await post(`${base}/auth/login`, { email: user.email, password: PASSWORD }, from);
  if (login.body?.status !== 'challenge') return false;
  const verify = `${base}/auth/challenge/${login.body.challengeId}/verify`;
  if (kind === 'wrong-then-right') await post(verify, { method: 'totp', code: wrongCode(user.secret) }, from);
  if (
    kind === 'email-code' &&
    (await post(`${base}/auth/challenge/${login.body.challengeId}/send`, { method: 'email' }, from)).status !== 202
  )
    return false;
  const passed = await post(
    verify,
    { method: 'totp', code: generateTotp(user.secret, Date.now()), rememberDevice: kind === 'email-code' },
    from,
  );
  if (passed.status !== 200) return false;
  if (kind === 'wrong-then-right') await post(`${base}/auth/logout`, {}, from, passed.body.session.token);
  return true;
}

async function tableSizes(db: ReturnType<typeof openSeeder>['db'], tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await db(table).count({ n: '*' }).first())?.n ?? 0);
  return counts;
}

async function runEngine(engine: string, databaseUrl: string, dir: string, passwordHash: string): Promise<EngineResult> {
  const secretKey = randomBytes(32).toString('hex');
  let server: ChildServer | undefined;
  const seed = openSeeder(databaseUrl, secretKey);
  try {
    // The server's own sweeper is off: the bench sweeps at chosen moments.
    server = await startApiProcess({
      databaseUrl,
      secretKey,
      outboxPath: join(dir, `${engine}-outbox.jsonl`),
      env: { LOG_LEVEL: 'warn', RETENTION_SWEEP_SECONDS: '0', TRUST_PROXY: '1' },
    });
    const users = await seed.users(SIGNINS, passwordHash);
    // Every user can also get email codes (the challenge then offers both; the bench still answers with TOTP).
    for (let i = 0; i < users.length; i += 100) {
      await seed
        .db('factors')
        .insert(
          users
            .slice(i, i + 100)
            .map((u) => ({ user_id: u.id, method: 'email', enabled_at: Date.now(), destination: u.email, updated_at: Date.now() })),
        );
    }
    const rules = retentionRules({ auditRetentionDays: AUDIT_RETENTION_DAYS });
    // users: never swept, for scale.
    const tables = [...rules.map((r) => r.table), 'users'];
    const base = `${server.url}/api/v1`;
    log(`${engine}: ${users.length} users seeded; signing in ${SIGNINS} times with ${CLIENTS} clients`);

    let next = 0;
    let signIns = 0;
    let failures = 0;
    let refused = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < SIGNINS; i = next++) {
          if (
            i % 10 === 0 &&
            (await post(`${base}/auth/login`, { email: users[i]!.email, password: 'a wrong password, once' }, addressOf(i))).status === 401
          )
            refused++;
          if (await signIn(base, users[i]!, kindOf(i), addressOf(i))) signIns++;
          else failures++;
          if ((i + 1) % 2000 === 0) log(`  ${engine}: ${i + 1} sign-ins`);
        }
      }),
    );
    const trafficSeconds = (performance.now() - started) / 1000;
    log(`${engine}: ${signIns} sign-ins (${failures} failed, ${refused} wrong passwords) in ${trafficSeconds.toFixed(0)} s`);

    const sizes: EngineResult['sizes'] = [{ label: 'after the sign-ins', counts: await tableSizes(seed.db, tables) }];
    const now = Date.now();
    const moments = [
      ['swept as of now', now],
      ['swept as of 8 days later', now + 8 * DAY_MS],
      ['swept as of 38 days later', now + 38 * DAY_MS],
      [`swept as of ${AUDIT_RETENTION_DAYS + 1} days later`, now + (AUDIT_RETENTION_DAYS + 1) * DAY_MS],
    ] as const;
    for (const [label, at] of moments) {
      const sweepStarted = performance.now();
      const deleted = await sweepExpired(seed.db, rules, at, { pauseMs: 10 });
      const sweepMs = performance.now() - sweepStarted;
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      sizes.push({ label, counts: await tableSizes(seed.db, tables), sweepMs, deleted: total });
      log(`${engine}: ${label}: ${total} rows in ${sweepMs.toFixed(0)} ms`);
    }
    return { engine, signIns, refused, failures, trafficSeconds, sizes };
  } finally {
    await server?.stop();
    await seed.close();
  }
}

function report(results: EngineResult[], started: number, loadAtStart: number): string {
  const lines = [
    `Made by \`npm run bench -- --retention\` on ${new Date(started).toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model}, node ${process.version}; ` +
      `took ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end. ` +
      `Sweeps in batches of 500 with a 10 ms pause between batches; AUDIT_RETENTION_DAYS=${AUDIT_RETENTION_DAYS}.`,
  ];
  for (const r of results) {
    const tables = Object.keys(r.sizes[0]!.counts);
    lines.push(
      '',
      `**${r.engine}**: ${r.signIns} sign-ins (${r.failures} failed) and ${r.refused} wrong passwords in ${r.trafficSeconds.toFixed(0)} s (${(r.signIns / r.trafficSeconds).toFixed(0)} sign-ins/s).`,
      '',
    );
    lines.push(`| rows | ${r.sizes.map((s) => s.label).join(' | ')} |`, `|---|${r.sizes.map(() => '---:').join('|')}|`);
    for (const table of tables) lines.push(`| \`${table}\` | ${r.sizes.map((s) => s.counts[table]).join(' | ')} |`);
    lines.push(
      `| sweep: rows deleted, time | ${r.sizes.map((s) => (s.sweepMs === undefined ? '' : `${s.deleted} in ${(s.sweepMs / 1000).toFixed(1)} s`)).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export async function runRetentionBench(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'twofold-retention-'));
  let pg: PgDatabase | undefined;
  try {
    const passwordHash = await argonHash(PASSWORD, HASH_OPTIONS);
    const results = [await runEngine('SQLite', join(dir, 'twofold.sqlite'), dir, passwordHash)];
    pg = await createPgDatabase(PG_ADMIN, 'twofold_retention');
    results.push(await runEngine('PostgreSQL', pg.url, dir, passwordHash));
    const table = report(results, started, loadAtStart);
    console.log(`\n${table}\n`);
    if (SIGNINS !== 20_000) return log('BENCH_SIGNINS is not the default: bench/README.md left as it was');
    const path = join(ROOT, 'bench/README.md');
    const readme = readFileSync(path, 'utf8');
    const start = readme.indexOf('<!-- retention:start -->');
    const end = readme.indexOf('<!-- retention:end -->');
    if (start < 0 || end < start) throw new Error('bench/README.md has no retention markers');
    writeFileSync(path, `${readme.slice(0, start)}<!-- retention:start -->\n${table}\n${readme.slice(end)}`);
    log(`wrote ${path}`);
  } finally {
    await pg?.drop().catch((err) => log('could not drop the PostgreSQL database:', err));
    rmSync(dir, { recursive: true, force: true });
  }
}
