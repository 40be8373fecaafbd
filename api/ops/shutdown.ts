// A graceful stop (SIGTERM, SIGINT): stop accepting connections, let the requests in flight finish (for at most
// SHUTDOWN_TIMEOUT_SECONDS, then cut them), stop the retention sweep, and close the database pool. A load balancer
// that sends no new requests to a stopping instance loses none.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';
import type { Sweeper } from './retention.ts';

export interface Running {
  server: Server;
  metricsServer?: Server;
  sweeper?: Sweeper;
  db: Db;
  log: Logger;
}

/** Idle keep-alive connections are closed at once and again as their requests finish, so none holds the stop up. */
const IDLE_CHECK_MS = 50;

/** Stops everything; resolves true when every request in flight finished within `timeoutMs`. */
export async function shutDown(running: Running, timeoutMs: number): Promise<boolean> {
  const { server, log } = running;
  log.info({ timeoutMs }, 'shutting down: no new connections; waiting for requests in flight');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleCheck = setInterval(() => server.closeIdleConnections(), IDLE_CHECK_MS);
  let deadline: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => {
      deadline = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearInterval(idleCheck);
  clearTimeout(deadline);
  if (!drained) {
    log.warn({ timeoutMs }, 'shutting down: requests still in flight after the timeout were cut');
    server.closeAllConnections();
    await closed;
  }
  await running.sweeper?.stop();
  if (running.metricsServer) {
    const metricsClosed = new Promise<void>((resolve) => running.metricsServer!.close(() => resolve()));
    running.metricsServer.closeAllConnections();
    await metricsClosed;
  }
  await running.db.destroy();
  log.info({ drained }, 'shut down');
  return drained;
}
