// The entry point, and the only reader of process.env: loadConfig() -> createDeps() -> createApp(deps).listen().
// Runs as TypeScript under tsx (`npm start`, which builds the web app and the extension when stale) or compiled
// (`npm run build`, then `NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`), which builds
// nothing and serves the web app built beside it (dist/web).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createDeps } from './deps.ts';
import { createApp } from './app.ts';
import { migrateLatest } from './db/db.ts';
import { createMetricsServer } from './ops/metrics.ts';
import { retentionRules, startSweeper } from './ops/retention.ts';
import { shutDown } from './ops/shutdown.ts';

const SECRET_KEY_FILE = 'data/secret.key';

/** Compiled into dist/api/ by `npm run build`: no TypeScript loader, no build step, and dist/ is this file's `..`. */
const compiled = !import.meta.url.endsWith('.ts');
const distDir = compiled ? resolve(import.meta.dirname, '..') : resolve('dist');

/** The version for the OpenAPI document: npm's, else (plain `node dist/api/server.js`) the project's package.json. */
function packageVersion(): string | undefined {
  if (process.env.npm_package_version || !compiled) return process.env.npm_package_version;
  try {
    return (JSON.parse(readFileSync(resolve(distDir, '../package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** SECRET_KEY, or the key generated once into data/secret.key (development and the embedded default only). */
function resolveSecretKey(config: Config): Buffer {
  if (config.secretKey) return config.secretKey;
  if (!existsSync(SECRET_KEY_FILE)) {
    mkdirSync(dirname(SECRET_KEY_FILE), { recursive: true });
    writeFileSync(SECRET_KEY_FILE, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    chmodSync(SECRET_KEY_FILE, 0o600);
  }
  const key = Buffer.from(readFileSync(SECRET_KEY_FILE, 'utf8').trim(), 'hex');
  if (key.length !== 32)
    throw new ConfigError(
      `${SECRET_KEY_FILE}: must hold 64 hex characters; delete it to make a new one (stored secrets become unreadable)`,
    );
  return key;
}

/** Writes out what the asynchronous log destination still holds (pino also flushes it synchronously on exit). */
function flushLog(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    try {
      log.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const secretKey = resolveSecretKey(config);
  // Loaded only to build: the compiled server and `--no-build` never load Vite's settings.
  if (!compiled && !process.argv.includes('--no-build')) (await import('./build.ts')).ensureBuilt();
  const deps = createDeps(config, secretKey);
  await migrateLatest(deps.db);
  const app = createApp(deps, { version: packageVersion(), webRoot: compiled ? join(distDir, 'web') : undefined });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    console.log(
      [
        '',
        `  Twofold is running on ${config.database.client === 'pg' ? 'PostgreSQL' : `SQLite (${config.database.filename})`}.`,
        `  Web app:   ${config.publicUrl}/${config.publicUrl === listening ? '' : `  (listening on ${listening})`}`,
        `  Extension: load ${join(distDir, 'extension')} as an unpacked extension`,
        '             (chrome://extensions → Developer mode → Load unpacked → pick that folder)',
        `             Firefox: ${join(distDir, 'extension-firefox', 'manifest.json')}`,
        '             (about:debugging → This Firefox → Load Temporary Add-on → pick that file)',
        `  Outbox:    ${config.sms.provider === 'outbox' || config.email.provider === 'outbox' ? resolve(config.outboxPath) : 'off'} (texts and emails land here)`,
        '',
      ].join('\n'),
    );
  });
  const { ops } = config;
  const metricsServer =
    ops.metricsPort === null
      ? undefined
      : createMetricsServer(deps.metrics, ops.metricsToken)
          .listen(ops.metricsPort, ops.metricsHost)
          .on('error', (err) => {
            console.error(`Twofold cannot start: METRICS_PORT ${ops.metricsPort}: ${err.message}`);
            process.exit(1);
          });
  // Every instance sweeps; batches are small and safe to run side by side (api/retention.ts).
  const sweeper =
    ops.retentionSweepSeconds === 0
      ? undefined
      : startSweeper(
          { db: deps.db, clock: deps.clock, log: deps.log, observer: deps.metrics.sweeps },
          retentionRules({ auditRetentionDays: ops.auditRetentionDays }),
          { intervalMs: ops.retentionSweepSeconds * 1000 },
        );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while draining means "now".
    if (stopping) process.exit(1);
    stopping = true;
    deps.log.info({ signal }, 'stop requested');
    shutDown({ server, metricsServer, sweeper, db: deps.db, log: deps.log }, ops.shutdownTimeoutSeconds * 1000).then(
      () => flushLog(deps.log).then(() => process.exit(0)),
      (err: unknown) => {
        console.error(`Twofold could not shut down cleanly: ${err instanceof Error ? err.message : String(err)}`);
        flushLog(deps.log).then(() => process.exit(1));
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`Twofold cannot start: ${err.message}`);
  } else {
    console.error(`Twofold cannot start: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
});
