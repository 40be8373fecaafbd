// A transaction that PostgreSQL aborted to break a deadlock (40P01) or a serialization conflict (40001) did
// nothing, and the database asks for it to be run again: do so a few times, after a short random pause, rather
// than answer 500. Code that takes its locks in one order rarely gets here; this is the second line.
import type { Knex } from 'knex';
import type { Db } from './db.ts';

const RETRYABLE = new Set(['40001', '40P01']);
const TRIES = 4;

export const isRetryableConflict = (err: unknown): boolean => RETRYABLE.has((err as { code?: string })?.code ?? '');

export async function inRetriedTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (!isRetryableConflict(err) || attempt >= TRIES) throw err;
      // Jitter, so the transactions that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
