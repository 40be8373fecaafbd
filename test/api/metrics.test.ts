// Prometheus metrics through the real app: a scripted sign-in moves the counters it should, labels name route
// templates and outcomes (never an id), and /metrics is never public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { retentionRules, startSweeper } from '../../api/ops/retention.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';
import { client } from '../support/http.ts';

const TOKEN = 'scrape-token-0123456789abcdef';
const VERIFY = '/api/v1/auth/challenge/:challengeId/verify';

let app: TestApp;
let other: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
  other = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await app?.close();
  await other?.close();
});

type Samples = Map<string, number>;

async function scrapeText(target: TestApp): Promise<string> {
  const res = await fetch(`${target.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** `name{labels} value` lines, keyed by `name{labels}` exactly as exposed. */
async function scrape(target: TestApp = app): Promise<Samples> {
  const samples: Samples = new Map();
  for (const line of (await scrapeText(target)).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const delta = (before: Samples, after: Samples, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

/** A 6-digit code that is not the user's current one (nor a neighbour's). */
function wrongCode(secret: string, now: number): string {
  const valid = new Set([-1, 0, 1].map((k) => generateTotp(secret, now + k * 30_000)));
  for (let n = 0; ; n++) if (!valid.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
}

describe('metrics', () => {
  it('count a sign-in with a wrong and then a right code: outcome, verifications and requests by route template', async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const before = await scrape();

    expect((await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'not the password at all' } })).status).toBe(
      401,
    );
    const { challengeId } = await f.startChallenge(user);
    const wrong = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: wrongCode(user.secret, app.clock.now()) },
    });
    expect(wrong.status).toBe(401);
    const right = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()) },
    });
    expect(right.status).toBe(200);

    const after = await scrape();
    expect(delta(before, after, 'twofold_sign_ins_total{outcome="refused"}')).toBe(1);
    expect(delta(before, after, 'twofold_sign_ins_total{outcome="challenge"}')).toBe(1);
    expect(delta(before, after, 'twofold_sign_ins_total{outcome="authenticated"}')).toBe(0);
    expect(delta(before, after, 'twofold_challenge_verifications_total{method="totp",outcome="wrong_code"}')).toBe(1);
    expect(delta(before, after, 'twofold_challenge_verifications_total{method="totp",outcome="passed"}')).toBe(1);
    expect(delta(before, after, `twofold_http_request_duration_seconds_count{route="${VERIFY}",method="POST",status="401"}`)).toBe(1);
    expect(delta(before, after, `twofold_http_request_duration_seconds_count{route="${VERIFY}",method="POST",status="200"}`)).toBe(1);
    expect(delta(before, after, 'twofold_http_request_duration_seconds_count{route="/api/v1/auth/login",method="POST",status="200"}')).toBe(
      1,
    );
    expect(after.get('twofold_http_requests_in_flight')).toBe(0);
    expect(after.get('twofold_db_pool_max')).toBeGreaterThanOrEqual(1);
    expect(after.has('twofold_db_pool_in_use')).toBe(true);
    expect(after.has('twofold_db_pool_waiting')).toBe(true);
    expect(after.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('never put a challenge id, an email or a raw path in a label', async () => {
    // Attack: reading bearer tokens (setup_required challenge ids) or personal data out of the metrics.
    const f = factories(app);
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'totp', code: '000000' } });
    await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, { body: { method: 'sms' } });
    await f.call('GET', `/api/v1/no-such-thing/${challengeId}`);
    await f.call('GET', `/some/page/${challengeId}`);
    await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: `<${challengeId}>`, code: '000000' } });
    await f.call('PURGE', '/api/v1/health');
    const text = await scrapeText(app);
    expect(text).not.toContain(challengeId);
    expect(text).not.toContain(challengeId.slice(0, 10));
    expect(text).not.toContain(user.email);
    expect(text).toContain('route="/api/v1/auth/challenge/:challengeId/send"');
    expect(text).toContain('route="/api/(no route)"');
    expect(text).toContain('route="(web)"');
    expect(text).toContain('method="OTHER"');
    expect(text).toContain('twofold_challenge_verifications_total{method="other",outcome="wrong_code"}');
  });

  it('count a lockout, the throttled sign-in after it, and codes sent and throttled by channel and provider', async () => {
    const f = factories(app);
    const user = await f.userWithTotp();
    const before = await scrape();
    for (let round = 0; round < 2; round++) {
      const { challengeId } = await f.startChallenge(user);
      for (let i = 0; i < 5; i++) {
        await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
          body: { method: 'totp', code: wrongCode(user.secret, app.clock.now()) },
        });
      }
    }
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })).status).toBe(429);

    const token = await f.login(await f.signup());
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token, body: {} })).status).toBe(202);
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token, body: {} })).status).toBe(429);

    const after = await scrape();
    expect(delta(before, after, 'twofold_lockouts_total')).toBe(1);
    expect(delta(before, after, 'twofold_sign_ins_total{outcome="throttled"}')).toBe(1);
    // Per challenge, the fifth wrong code spends it (429); the tenth in a row locks the user (429).
    expect(delta(before, after, 'twofold_challenge_verifications_total{method="totp",outcome="wrong_code"}')).toBe(8);
    expect(delta(before, after, 'twofold_challenge_verifications_total{method="totp",outcome="throttled"}')).toBe(2);
    expect(delta(before, after, 'twofold_codes_sent_total{channel="email",provider="outbox",outcome="sent"}')).toBe(1);
    expect(delta(before, after, 'twofold_codes_sent_total{channel="email",provider="outbox",outcome="throttled"}')).toBe(1);
    expect(after.get('twofold_codes_sent_total{channel="sms",provider="outbox",outcome="failed"}')).toBe(0);
  });

  it('keep one registry per app: another app in the same process counts only its own requests', async () => {
    const before = await scrape(other);
    const f = factories(app);
    await f.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong password here' } });
    const after = await scrape(other);
    expect(delta(before, after, 'twofold_sign_ins_total{outcome="refused"}')).toBe(0);
  });
});

describe('metrics of the retention sweep', () => {
  it('count the rows each table lost, the sweeps, and when the last one finished', async () => {
    const f = factories(app);
    await f.startChallenge(await f.userWithTotp());
    app.clock.advance(2 * 24 * 3600_000);
    const before = await scrape();
    const sweeper = startSweeper(
      { db: app.deps.db, clock: app.clock, log: app.deps.log, observer: app.deps.metrics.sweeps },
      retentionRules({ auditRetentionDays: 365 }),
      { intervalMs: 3600_000 },
    );
    await sweeper.sweepNow();
    await sweeper.stop();
    const after = await scrape();
    expect(delta(before, after, 'twofold_retention_deleted_rows_total{table="challenges"}')).toBeGreaterThanOrEqual(1);
    expect(delta(before, after, 'twofold_retention_sweeps_total{outcome="ok"}')).toBe(1);
    expect(after.get('twofold_retention_last_success_timestamp_seconds')).toBe(app.clock.now() / 1000);
  });
});

describe('access to /metrics', () => {
  it('needs the bearer token: none, a wrong one or one in the query are refused', async () => {
    // Attack: scraping an instance's internals (traffic, lockouts, pool) from the internet.
    const call = client(app.url);
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: TOKEN },
    ]) {
      const r = await call('GET', '/metrics', { headers });
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(JSON.stringify(r.body)).not.toContain('twofold_');
    }
    expect((await call('GET', `/metrics?token=${TOKEN}`)).status).toBe(401);
  });

  it('is not served at all unless METRICS_TOKEN or METRICS_PORT is set', async () => {
    const closed = await startTestApp();
    try {
      // The path is then the web app's (its index page when built, else 404), never the metrics.
      const r = await client(closed.url)('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.headers.get('content-type') ?? '').not.toContain('version=0.0.4');
      expect(String(r.body)).not.toContain('# HELP');
      expect(String(r.body)).not.toContain('twofold_http_request_duration_seconds');
    } finally {
      await closed.close();
    }
  });
});
