// Everything the app needs, built once from the config. Tests build their own with other parts.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';
import { createDb, type Db } from './db/db.ts';
import { createSecrets, type Secrets } from './crypto/secrets.ts';
import { createPasswordHasher, type PasswordHasher } from './crypto/passwords.ts';
import { createSenders, type Senders } from './notify/senders/index.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Deps {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  secrets: Secrets;
  passwords: PasswordHasher;
  senders: Senders;
  metrics: Metrics;
}

/** JSON lines on stdout through pino's asynchronous destination: a log line is buffered and written in the
 * background, never blocking the request that logged it. `log.flush()` writes out the rest (server.ts does on
 * shutdown); pino also flushes it synchronously when the process exits. */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino(
    {
      level,
      // Belt and braces: these never belong in a log line, wherever they appear.
      redact: { paths: ['*.password', '*.code', '*.token', '*.secret', '*.authorization', '*.cookie', 'req.headers'], remove: true },
    },
    destination,
  );
}

export function createDeps(config: Config, secretKey: Buffer, overrides: Partial<Deps> = {}): Deps {
  const log = overrides.log ?? createLogger(config.logLevel);
  const db = overrides.db ?? createDb(config.database, { poolMax: config.dbPoolMax });
  return {
    config,
    log,
    clock: overrides.clock ?? systemClock,
    db,
    secrets: overrides.secrets ?? createSecrets(secretKey),
    passwords: overrides.passwords ?? createPasswordHasher(config.argon2Concurrency),
    senders: overrides.senders ?? createSenders(config, log),
    metrics: overrides.metrics ?? createMetrics(config, db),
  };
}
