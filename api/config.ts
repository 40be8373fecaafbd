// Environment -> a frozen Config, parsed once. A bad value stops start-up with one line naming the variable.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export type DatabaseConfig = { client: 'sqlite'; filename: string } | { client: 'pg'; connectionString: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly production: boolean;
  readonly database: DatabaseConfig;
  /** 32-byte key for AES-GCM sealing and HMAC keys; null means "generate or read data/secret.key". */
  readonly secretKey: Buffer | null;
  readonly sms: { provider: 'outbox' } | { provider: 'twilio'; accountSid: string; authToken: string; from: string; baseUrl: string };
  readonly email: { provider: 'outbox'; from: string } | { provider: 'smtp'; url: string; from: string };
  readonly outboxPath: string;
  readonly trustProxy: boolean;
  /** The web app's public origin (`https://app.example.com`, no trailing slash): the only source of links in emails,
   * of the allowed `Origin` of browser requests and of WebAuthn's relying party. Never taken from a request. */
  readonly publicUrl: string;
  readonly logLevel: string;
  readonly dbPoolMax: number;
  /** Password hashes at once; by default one fewer than the cores, so the event loop always has one (passwords.ts). */
  readonly argon2Concurrency: number;
  /** Texts per hour to one country calling code, for everyone together: the ceiling against SMS pumping. */
  readonly smsHourlyLimitPerCountry: number;
  /** Operations (README, "Operating Twofold"): where /metrics is served, what the sweep keeps, how long a stop waits. */
  readonly ops: OpsConfig;
}

export interface OpsConfig {
  /** A separate port that serves only GET /metrics; null: none. */
  readonly metricsPort: number | null;
  readonly metricsHost: string;
  /** A bearer token for /metrics (on the API's port unless `metricsPort` is set); null: no token. */
  readonly metricsToken: string | null;
  /** Audit events older than this are swept; 0 keeps them forever. */
  readonly auditRetentionDays: number;
  /** How often each instance runs the retention sweep; 0 turns it off on this instance. */
  readonly retentionSweepSeconds: number;
  /** How long a SIGTERM waits for requests in flight before it cuts them. */
  readonly shutdownTimeoutSeconds: number;
}

export class ConfigError extends Error {}

const bool = z.enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no', '']).transform((v) => ['1', 'true', 'on', 'yes'].includes(v));
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1).max(1000);

function read<T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>, fallback: string): T {
  const raw = env[name] ?? fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid value'} (got ${JSON.stringify(raw)})`);
  return parsed.data;
}

/** One fewer than the cores (at least one): a sign-in flood then queues for the hashes while session checks keep a
 * core. On 2 cores, two at once cut session checks beside a sign-in flood to 2,300-3,200/s at a p99 of 8-10 ms; one
 * at a time kept 4,000-4,300/s at 3.8-5.1 ms, for 10-20% fewer sign-ins a second (bench/login-flood.ts, bench/README.md). */
export function defaultArgon2Concurrency(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

function required(env: NodeJS.ProcessEnv, name: string, because: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required ${because}`);
  return value;
}

function parseDatabase(url: string | undefined): DatabaseConfig {
  if (!url) return { client: 'sqlite', filename: 'data/twofold.sqlite' };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL: not a valid postgres:// URL');
    }
    return { client: 'pg', connectionString: url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL: use postgres://… for PostgreSQL, or a file path or sqlite:PATH for SQLite');
  }
  return { client: 'sqlite', filename: url.replace(/^sqlite:(\/\/)?/, '') || 'data/twofold.sqlite' };
}

/** PUBLIC_URL must be a bare http(s) origin: links are built by appending paths to it. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL: not a URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_URL: must start with http:// or https://');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError('PUBLIC_URL: must be an origin only, like https://twofold.example.com (no path, query or credentials)');
  }
  return url.origin;
}

function parseSecretKey(value: string | undefined): Buffer | null {
  if (value === undefined || value === '') return null;
  // Accept 64 hex characters or base64 of 32 bytes; anything else is a passphrase too weak to trust.
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError('SECRET_KEY: must be 32 bytes, as 64 hex characters or base64');
  return key;
}

function parseOps(env: NodeJS.ProcessEnv, listenPort: number): OpsConfig {
  const metricsPort = env.METRICS_PORT ? read(env, 'METRICS_PORT', port.min(1), '') : null;
  if (metricsPort !== null && metricsPort === listenPort)
    throw new ConfigError('METRICS_PORT: must differ from PORT (metrics are served on a port of their own)');
  // A short token could be guessed from outside; /metrics is never public.
  const metricsToken = env.METRICS_TOKEN
    ? read(env, 'METRICS_TOKEN', z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain spaces'), '')
    : null;
  return Object.freeze({
    metricsPort,
    metricsHost: read(env, 'METRICS_HOST', z.string().min(1), env.HOST || '127.0.0.1'),
    metricsToken,
    auditRetentionDays: read(env, 'AUDIT_RETENTION_DAYS', z.coerce.number().int().min(0).max(36_500), '365'),
    retentionSweepSeconds: read(env, 'RETENTION_SWEEP_SECONDS', z.coerce.number().int().min(0).max(86_400), '600'),
    shutdownTimeoutSeconds: read(env, 'SHUTDOWN_TIMEOUT_SECONDS', z.coerce.number().int().min(1).max(600), '10'),
  });
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const production = env.NODE_ENV === 'production';
  const secretKey = parseSecretKey(env.SECRET_KEY);
  if (production && !secretKey) throw new ConfigError('SECRET_KEY is required when NODE_ENV=production');

  if (production && !env.PUBLIC_URL)
    throw new ConfigError('PUBLIC_URL is required when NODE_ENV=production (the origin people open, e.g. https://twofold.example.com)');
  const listenPort = read(env, 'PORT', port, '3000');

  const smsProvider = read(env, 'SMS_PROVIDER', z.enum(['outbox', 'twilio']), 'outbox');
  const emailProvider = read(env, 'EMAIL_PROVIDER', z.enum(['outbox', 'smtp']), 'outbox');
  const emailFrom = read(env, 'EMAIL_FROM', z.string().min(3), 'Twofold <no-reply@twofold.local>');
  const config: Config = {
    host: read(env, 'HOST', z.string().min(1), '127.0.0.1'),
    port: listenPort,
    production,
    database: parseDatabase(env.DATABASE_URL),
    secretKey,
    sms:
      smsProvider === 'outbox'
        ? { provider: 'outbox' }
        : {
            provider: 'twilio',
            accountSid: required(env, 'TWILIO_ACCOUNT_SID', 'when SMS_PROVIDER=twilio'),
            authToken: required(env, 'TWILIO_AUTH_TOKEN', 'when SMS_PROVIDER=twilio'),
            from: required(env, 'TWILIO_FROM', 'when SMS_PROVIDER=twilio'),
            baseUrl: read(env, 'TWILIO_BASE_URL', z.url(), 'https://api.twilio.com'),
          },
    email:
      emailProvider === 'outbox'
        ? { provider: 'outbox', from: emailFrom }
        : { provider: 'smtp', url: read(env, 'SMTP_URL', z.url(), ''), from: emailFrom },
    outboxPath: read(env, 'OUTBOX_PATH', z.string().min(1), 'data/outbox.jsonl'),
    trustProxy: read(env, 'TRUST_PROXY', bool, ''),
    publicUrl: parsePublicUrl(env.PUBLIC_URL || `http://localhost:${listenPort}`),
    logLevel: read(env, 'LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
    dbPoolMax: read(env, 'DB_POOL_MAX', positiveInt, '10'),
    argon2Concurrency: read(env, 'ARGON2_CONCURRENCY', positiveInt, String(defaultArgon2Concurrency())),
    smsHourlyLimitPerCountry: read(env, 'SMS_HOURLY_LIMIT_PER_COUNTRY', z.coerce.number().int().min(1).max(10_000_000), '1000'),
    ops: parseOps(env, listenPort),
  };
  return Object.freeze(config);
}
