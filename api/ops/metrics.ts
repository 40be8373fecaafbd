// Prometheus metrics, one registry per app (built by createDeps), never the global default registry, so several apps
// in one process stay apart. Label values come from closed sets only: route templates (never the raw path, where
// challenge ids are bearer tokens), methods, statuses, outcomes, channels, providers and table names; never a user,
// an address or an id.
//
// Served at GET /metrics on METRICS_PORT, or on the API's port behind `Authorization: Bearer METRICS_TOKEN`; with
// neither set, nowhere. README "Operating Twofold" lists every metric.
import { createServer, type Server } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { ApiError } from '../errors.ts';
import { API_PREFIX } from '../../shared/contract.ts';

const SIGN_IN_OUTCOMES = ['authenticated', 'challenge', 'setup_required', 'refused', 'throttled'] as const;
const VERIFY_METHODS = ['totp', 'sms', 'email', 'backup_code', 'recovery_code', 'webauthn', 'other'] as const;
const VERIFY_OUTCOMES = ['passed', 'wrong_code', 'expired', 'throttled', 'invalid', 'error'] as const;
const SEND_OUTCOMES = ['sent', 'failed', 'throttled', 'error'] as const;
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** The routes whose answers are also sign-in events (contract paths, fixed). */
const LOGIN_ROUTE = `${API_PREFIX}/auth/login`;
const VERIFY_ROUTE = `${API_PREFIX}/auth/challenge/:challengeId/verify`;

type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];
type VerifyMethod = (typeof VERIFY_METHODS)[number];
type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];
type SendOutcome = (typeof SEND_OUTCOMES)[number];
type Channel = 'sms' | 'email';
type Child = { inc(value?: number): void };
type Timer = { observe(value: number): void };

/** What the metrics learn of a finished request: its route label (a template, never the raw path), the answer's
 * status and body, and the request body (the verify's method). */
export interface FinishedRequest {
  route: string;
  method: string;
  status: number;
  answer: unknown;
  sent: unknown;
}

export interface Metrics {
  readonly registry: Registry;
  /** Around one finished request (http/middleware/measure-requests.ts). */
  observeRequest(request: FinishedRequest, seconds: number): void;
  requestStarted(): void;
  requestEnded(): void;
  /** A user's code entry was locked (lockout.ts). */
  countLockout(): void;
  /** Counts a code send by its outcome (otp-codes.ts): sent, failed (the provider), throttled (cooldown, caps). */
  countCodeSend<T>(channel: Channel, sending: Promise<T>): Promise<T>;
  /** What the retention sweeper reports (retention.ts). */
  readonly sweeps: { deleted(table: string, rows: number): void; swept(ok: boolean, at: number): void };
}

/** Everything the registry holds, with its children made once: counting on the request path only looks them up. */
export function createMetrics(config: Config, db: Db): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (config.ops.metricsPort !== null || config.ops.metricsToken !== null) collectDefaultMetrics({ register: registry });

  const requests = new Histogram({
    name: 'twofold_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, with their duration.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  let inFlight = 0;
  new Gauge({
    name: 'twofold_http_requests_in_flight',
    help: 'HTTP requests being answered now.',
    registers,
    collect() {
      this.set(inFlight);
    },
  });

  /** A counter in this registry, by these labels. */
  const counter = <L extends string = never>(name: string, labelNames: readonly L[], help: string) =>
    new Counter({ name, help, labelNames, registers });

  const signIns = byLabel(counter('twofold_sign_ins_total', ['outcome'], 'POST /auth/login answers by outcome.'), SIGN_IN_OUTCOMES);
  const verifyCounter = counter(
    'twofold_challenge_verifications_total',
    ['method', 'outcome'],
    'Challenge verify answers by method and outcome.',
  );
  const verifications = Object.fromEntries(
    VERIFY_METHODS.map((m) => [m, byLabel(verifyCounter, VERIFY_OUTCOMES, (outcome) => ({ method: m, outcome }))]),
  ) as Record<VerifyMethod, Record<VerifyOutcome, Child>>;
  const lockouts = counter('twofold_lockouts_total', [], 'Users whose code entry was locked (10 wrong codes in a row).');
  const sendCounter = counter(
    'twofold_codes_sent_total',
    ['channel', 'provider', 'outcome'],
    'SMS and email codes by channel, provider and outcome.',
  );
  const sends: Record<Channel, Record<SendOutcome, Child>> = {
    sms: byLabel(sendCounter, SEND_OUTCOMES, (outcome) => ({ channel: 'sms', provider: config.sms.provider, outcome })),
    email: byLabel(sendCounter, SEND_OUTCOMES, (outcome) => ({ channel: 'email', provider: config.email.provider, outcome })),
  };

  registerPoolGauges(registers, db);

  const deletedRows = counter('twofold_retention_deleted_rows_total', ['table'], 'Rows the retention sweep deleted, by table.');
  const sweepRuns = byLabel(counter('twofold_retention_sweeps_total', ['outcome'], 'Retention sweeps by outcome.'), [
    'ok',
    'failed',
  ] as const);
  const lastSweep = new Gauge({
    name: 'twofold_retention_last_success_timestamp_seconds',
    help: 'When this instance last finished a sweep (0: not yet).',
    registers,
  });

  // route -> method -> status -> histogram child: no allocation to find one once it exists.
  const timers = new Map<string, Map<string, Map<number, Timer>>>();
  function timerFor(route: string, method: string, status: number): Timer {
    let byMethod = timers.get(route);
    if (!byMethod) {
      byMethod = new Map();
      timers.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (!byStatus) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let timer = byStatus.get(status);
    if (!timer) {
      timer = requests.labels(route, method, String(status));
      byStatus.set(status, timer);
    }
    return timer;
  }

  return {
    registry,
    observeRequest({ route, method, status, answer, sent }, seconds) {
      timerFor(route, HTTP_METHODS.has(method) ? method : 'OTHER', status).observe(seconds);
      if (method !== 'POST') return;
      if (route === LOGIN_ROUTE) {
        const outcome = signInOutcome(status, answer);
        if (outcome) signIns[outcome].inc();
      } else if (route === VERIFY_ROUTE) {
        verifications[verifyMethod(sent)][verifyOutcome(status)].inc();
      }
    },
    requestStarted() {
      inFlight++;
    },
    requestEnded() {
      inFlight--;
    },
    countLockout() {
      lockouts.inc();
    },
    async countCodeSend(channel, sending) {
      try {
        const result = await sending;
        sends[channel].sent.inc();
        return result;
      } catch (err) {
        sends[channel][sendOutcome(err)].inc();
        throw err;
      }
    },
    sweeps: {
      deleted(table, rows) {
        deletedRows.inc({ table }, rows);
      },
      swept(ok, at) {
        sweepRuns[ok ? 'ok' : 'failed'].inc();
        if (ok) lastSweep.set(at / 1000);
      },
    },
  };
}

/** One child per label value, at zero, so every series exists (and `rate()` works) before its first event. */
function byLabel<L extends string, V extends string>(
  counter: Counter<L>,
  values: readonly V[],
  labelsOf?: (value: V) => Record<L, string>,
): Record<V, Child> {
  const children = {} as Record<V, Child>;
  for (const value of values) {
    const child = counter.labels((labelsOf ? labelsOf(value) : { outcome: value }) as Partial<Record<L, string>>);
    child.inc(0);
    children[value] = child;
  }
  return children;
}

/** Knex's pool (tarn): connections in use, idle, the most it opens, and acquires waiting for one. SQLite's pool has
 * one connection; queries hold it only while SQLite runs them, transactions while they are open. */
function registerPoolGauges(registers: Registry[], db: Db): void {
  type Pool = { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number };
  const pool = () => (db.client as { pool?: Pool }).pool;
  const gauge = (name: string, help: string, read: (p: Pool) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const p = pool();
        this.set(p ? read(p) : 0);
      },
    });
  gauge('twofold_db_pool_in_use', 'Database connections running a query or transaction.', (p) => p.numUsed());
  gauge('twofold_db_pool_idle', 'Open database connections waiting for work.', (p) => p.numFree());
  gauge('twofold_db_pool_waiting', 'Queries waiting for a database connection.', (p) => p.numPendingAcquires());
  gauge('twofold_db_pool_max', 'The most connections the pool opens (DB_POOL_MAX; 1 on SQLite).', (p) => p.max);
}

function signInOutcome(status: number, body: unknown): SignInOutcome | null {
  if (status === 200) {
    const answer = (body as { status?: unknown } | null)?.status;
    return answer === 'authenticated' || answer === 'challenge' || answer === 'setup_required' ? answer : null;
  }
  if (status === 401) return 'refused';
  if (status === 429) return 'throttled';
  return null; // malformed requests and server errors are not sign-in attempts
}

function verifyMethod(body: unknown): VerifyMethod {
  const method = (body as { method?: unknown } | null)?.method;
  return typeof method === 'string' && (VERIFY_METHODS as readonly string[]).includes(method) ? (method as VerifyMethod) : 'other';
}

function verifyOutcome(status: number): VerifyOutcome {
  if (status === 200) return 'passed';
  if (status === 401) return 'wrong_code';
  if (status === 410) return 'expired';
  if (status === 429) return 'throttled';
  return status >= 500 ? 'error' : 'invalid';
}

function sendOutcome(err: unknown): SendOutcome {
  if (!(err instanceof ApiError)) return 'error';
  if (err.code === 'too_many_attempts') return 'throttled';
  return err.code === 'sms_delivery_failed' || err.code === 'email_delivery_failed' ? 'failed' : 'error';
}

interface ScrapeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const errorAnswer = (status: number, code: string, message: string, headers: Record<string, string> = {}): ScrapeAnswer => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify({ error: { code, message } }),
});

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The answer to a scrape: the metrics, or 401 without the token (compared in constant time). */
export async function answerScrape(
  metrics: Metrics,
  token: string | null,
  method: string | undefined,
  authorization: string | undefined,
): Promise<ScrapeAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return errorAnswer(405, 'method_not_allowed', 'Only GET.', { Allow: 'GET, HEAD' });
  if (token !== null) {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!presented || !timingSafeEqual(digest(presented), digest(token))) {
      return errorAnswer(401, 'unauthenticated', 'Send the metrics token as a bearer token.', {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      });
    }
  }
  return {
    status: 200,
    headers: { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' },
    body: await metrics.registry.metrics(),
  };
}

/** The METRICS_PORT server: GET /metrics and nothing else (behind METRICS_TOKEN too when it is set). */
export function createMetricsServer(metrics: Metrics, token: string | null): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const answering =
      path === '/metrics'
        ? answerScrape(metrics, token, req.method, req.headers.authorization)
        : Promise.resolve(errorAnswer(404, 'not_found', 'Only /metrics is served here.'));
    void answering
      .catch(() => errorAnswer(500, 'internal_error', 'Could not collect the metrics.'))
      .then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(req.method === 'HEAD' ? undefined : answer.body);
      });
  });
}
