// Readiness: may a load balancer send this instance requests? Only when the database answers and every migration
// this code knows has run (a newer instance may have run more: that is still ready). Liveness (GET /health) asks
// nothing of the database, so an outage makes instances unready, not restarted.
import type { Db } from '../db/db.ts';
import { migrationSource } from '../db/migrations/index.ts';

/** A readiness probe must answer quickly, even while connections to the database hang. */
export const READY_TIMEOUT_MS = 2000;

export type Readiness = { ready: true } | { ready: false; reason: 'database_unreachable' | 'migrations_pending' };

export async function checkReadiness(db: Db, timeoutMs = READY_TIMEOUT_MS): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: 'database_unreachable' }), timeoutMs);
  });
  try {
    return await Promise.race([askDatabase(db), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function askDatabase(db: Db): Promise<Readiness> {
  let applied: Set<string>;
  try {
    await db.raw('select 1');
  } catch {
    return { ready: false, reason: 'database_unreachable' };
  }
  try {
    applied = new Set((await db('knex_migrations').select('name')).map((row: { name: string }) => row.name));
  } catch {
    return { ready: false, reason: 'migrations_pending' }; // no migrations table yet
  }
  const known = await migrationSource.getMigrations([]);
  return known.every((name) => applied.has(name)) ? { ready: true } : { ready: false, reason: 'migrations_pending' };
}
