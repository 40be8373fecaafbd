// Starts the real API on a fresh database, on 127.0.0.1 and a free port, with the outbox as its senders
// (unless a test passes real SMTP/Twilio configuration) and a clock the test controls.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { loadConfig } from '../../api/config.ts';
import { createDeps, createLogger, type Deps } from '../../api/deps.ts';
import { createApp } from '../../api/app.ts';
import { TestClock } from './clock.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface OutboxMessage {
  channel: 'sms' | 'email';
  to: string;
  subject: string | null;
  body: string;
  code: string | null;
  at: string;
}

export interface TestApp {
  url: string;
  deps: Deps;
  clock: TestClock;
  database: TestDatabase;
  outboxPath: string;
  outbox(): OutboxMessage[];
  /** The code of the newest message sent to `to` on `channel`. */
  lastCode(to: string, channel?: 'sms' | 'email'): string;
  close(): Promise<void>;
}

export async function startTestApp(
  options: { env?: Record<string, string>; clock?: TestClock; webRoot?: string; log?: Deps['log']; hostname?: string } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-app-'));
  const outboxPath = join(dir, 'outbox.jsonl');
  const database = await createTestDatabase();
  // Listen first, so PUBLIC_URL (links in emails, the allowed Origin) can name the real port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  const config = loadConfig({
    OUTBOX_PATH: outboxPath,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: url,
    ...options.env,
  });
  const clock = options.clock ?? new TestClock();
  const deps = createDeps({ ...config, database: database.config }, randomBytes(32), {
    db: database.db,
    clock,
    log: options.log ?? createLogger(config.logLevel),
  });
  const app = createApp(deps, { webRoot: options.webRoot });
  server.on('request', app.callback());
  const outbox = (): OutboxMessage[] =>
    existsSync(outboxPath)
      ? readFileSync(outboxPath, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as OutboxMessage)
      : [];
  return {
    url,
    deps,
    clock,
    database,
    outboxPath,
    outbox,
    lastCode(to, channel) {
      const found = outbox()
        .filter((m) => m.to === to && (!channel || m.channel === channel) && m.code)
        .pop();
      if (!found?.code) throw new Error(`no code was sent to ${to}`);
      return found.code;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
