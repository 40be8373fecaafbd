// The retention sweep: rows that stopped mattering (expired or spent challenges and codes, ended sessions, old
// invitations, ...) are deleted a documented while later, so that after any amount of traffic a table holds what is
// live plus a short tail. Every instance sweeps on a timer, in small batches: each batch is one short DELETE of at
// most `batchSize` rows, re-checking the rule in the same statement, so a row that came back to life (a code
// replaced under the same key) is never taken, and two instances sweeping at once only share the work (PostgreSQL
// skips rows another sweeper holds; SQLite has one writer at a time).
//
// A rule says when a row stops mattering, as a condition on indexed time columns that can never hold for a live
// row; the sweep deletes the rows that stopped mattering more than `tailMs` ago. To cover a new table, add a rule.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { affected, type Db } from '../db/db.ts';
import { EMAIL_FORGET_AFTER_MS } from '../factors/password-throttle.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Rows per DELETE: small enough that a batch holds its locks (or SQLite's one writer) for milliseconds. */
export const SWEEP_BATCH_SIZE = 500;
/** The longest window the code-send caps look back over (send-caps.ts: every cap is per hour). */
const CODE_SEND_WINDOW_MS = HOUR_MS;

export interface RetentionRule {
  table: string;
  /** When a row stops mattering, in words (README "Operating Twofold" says the same, per table). */
  deadWhen: string;
  /** How long a row is kept after it stopped mattering. */
  tailMs: number;
  /** Narrows a query to the rows that stopped mattering before `cutoff` (= now - tail). */
  deadBefore(q: Knex.QueryBuilder, cutoff: number): Knex.QueryBuilder;
}

const expiredBefore = (q: Knex.QueryBuilder, cutoff: number) => q.where('expires_at', '<', cutoff);

/** Every table the sweep prunes, with its tail. Audit events follow `AUDIT_RETENTION_DAYS` (0 keeps them). */
export function retentionRules(options: { auditRetentionDays: number }): RetentionRule[] {
  const rules: RetentionRule[] = [
    {
      table: 'challenges',
      tailMs: DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 10 minutes after the password step (passing or spending it only ends it sooner)',
    },
    {
      // An idle-expired session that nobody ended waits for its absolute expiry: the idle deadline moves with every
      // use, and indexing it would slow the session check.
      table: 'sessions',
      tailMs: 7 * DAY_MS,
      deadBefore: (q, cutoff) => q.where((w) => w.where('ended_at', '<', cutoff).orWhere('absolute_expires_at', '<', cutoff)),
      deadWhen:
        'when it ends (sign-out, reset, 2FA turned on elsewhere) or at its absolute expiry, 12 hours after sign-in; until the tail is over, a client holding the token is told why it stopped working',
    },
    {
      table: 'one_time_codes',
      tailMs: DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 10 minutes after it was sent (using it only ends it sooner)',
    },
    {
      table: 'code_sends',
      tailMs: DAY_MS,
      deadBefore: (q, cutoff) => q.where('at', '<', cutoff - CODE_SEND_WINDOW_MS),
      deadWhen: 'an hour after the send, when the hourly send caps stop counting it',
    },
    {
      table: 'trusted_devices',
      tailMs: 7 * DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, rememberDeviceDays after it was trusted (forgotten devices are deleted at once)',
    },
    {
      table: 'invitations',
      tailMs: 7 * DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 7 days after it was sent (accepted, revoked and replaced ones are kept as long)',
    },
    {
      table: 'email_verifications',
      tailMs: 7 * DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 24 hours after the link was sent (used and replaced links are kept as long)',
    },
    {
      table: 'policy_confirmations',
      tailMs: 7 * DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 10 minutes after the change was asked for (confirmed and replaced ones are kept as long)',
    },
    {
      table: 'recovery_codes',
      tailMs: 7 * DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, an hour after an owner issued it (using it only ends it sooner)',
    },
    {
      // Keyed hashes and counters: nothing to learn from them afterwards (the audit log records every throttling).
      table: 'password_throttles',
      tailMs: HOUR_MS,
      deadBefore: (q, cutoff) => q.where('last_failure_at', '<', cutoff - EMAIL_FORGET_AFTER_MS),
      deadWhen: '24 hours after the last wrong password for the email, when the streak is forgotten (a right password deletes it at once)',
    },
    {
      table: 'address_throttles',
      tailMs: HOUR_MS,
      deadBefore: (q, cutoff) => q.where('tat', '<', cutoff),
      deadWhen: "when the address's leaky bucket has drained (its `tat` is past)",
    },
    {
      table: 'webauthn_challenges',
      tailMs: DAY_MS,
      deadBefore: expiredBefore,
      deadWhen: 'at its expiry, 5 minutes after a security-key ceremony began (an answered one is deleted at once)',
    },
  ];
  if (options.auditRetentionDays > 0) {
    rules.push({
      table: 'audit_events',
      tailMs: options.auditRetentionDays * DAY_MS,
      deadBefore: (q, cutoff) => q.where('at', '<', cutoff),
      deadWhen: 'when it is written (kept AUDIT_RETENTION_DAYS)',
    });
  }
  return rules;
}

export interface SweepOptions {
  batchSize?: number;
  /** A pause between batches, so a sweep never holds the database (SQLite's one connection above all) for long. */
  pauseMs?: number;
  /** Asked between batches: true ends the sweep early (shutdown). */
  shouldStop?: () => boolean;
  /** Called after every batch that deleted rows. */
  onDeleted?: (table: string, rows: number) => void;
}

/** Deletes, table by table and batch by batch, the rows that stopped mattering more than their tail before `now`.
 * Returns the rows this call deleted per table (another instance sweeping at once may have taken some). A table
 * that fails does not keep the others from being swept; the sweep then throws, naming it. */
export async function sweepExpired(
  db: Db,
  rules: readonly RetentionRule[],
  now: number,
  options: SweepOptions = {},
): Promise<Record<string, number>> {
  const batchSize = options.batchSize ?? SWEEP_BATCH_SIZE;
  const deleted: Record<string, number> = {};
  const failed: string[] = [];
  for (const rule of rules) {
    let total = 0;
    try {
      for (;;) {
        if (options.shouldStop?.()) break;
        const n = await deleteBatch(db, rule, now - rule.tailMs, batchSize);
        total += n;
        if (n > 0) options.onDeleted?.(rule.table, n);
        // A short batch means nothing is left, or another sweeper holds the rest and will delete it.
        if (n < batchSize) break;
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    } catch (err) {
      failed.push(`${rule.table}: ${(err as Error).message}`);
    }
    deleted[rule.table] = total;
    if (options.shouldStop?.()) break;
  }
  if (failed.length > 0) throw new Error(`could not sweep ${failed.join('; ')}`);
  return deleted;
}

/** One DELETE of at most `batchSize` dead rows, found by the rule's index and deleted by their physical address
 * (PostgreSQL's ctid, SQLite's rowid), so a batch costs the same however large the backlog. The rule is applied twice:
 * in the subquery that picks the batch and in the DELETE itself, so a row that changed in between (a code replaced
 * under the same key) stays. */
async function deleteBatch(db: Db, rule: RetentionRule, cutoff: number, batchSize: number): Promise<number> {
  const postgres = isPostgres(db);
  const address = postgres ? 'ctid' : 'rowid';
  const batch = rule.deadBefore(db(rule.table).select(db.raw(address)), cutoff).limit(batchSize);
  // Rows another sweeper is deleting are skipped rather than waited for.
  if (postgres) batch.forUpdate().skipLocked();
  const picked = postgres ? db.raw('ctid = any(array(?))', [batch]) : db.raw('rowid in (?)', [batch]);
  return affected(await rule.deadBefore(db(rule.table), cutoff).where(picked).delete());
}

const isPostgres = (db: Db): boolean => (db.client as { dialect?: string }).dialect === 'postgresql';

export interface Sweeper {
  /** Runs one sweep now (unless one is running, then waits for it). */
  sweepNow(): Promise<void>;
  /** No more sweeps; waits for the batch in progress. */
  stop(): Promise<void>;
}

export interface SweeperDeps {
  db: Db;
  clock: { now(): number };
  log: Logger;
  /** Told of every batch and every sweep (metrics.ts). */
  observer?: { deleted(table: string, rows: number): void; swept(ok: boolean, at: number): void };
}

/** Sweeps every `intervalMs` (the first one after a random part of the interval, so instances started together
 * spread out). The timer never keeps the process alive. */
export function startSweeper(
  deps: SweeperDeps,
  rules: readonly RetentionRule[],
  options: { intervalMs: number; batchSize?: number; pauseMs?: number },
): Sweeper {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function sweep(): Promise<void> {
    const started = performance.now();
    try {
      const deleted = await sweepExpired(deps.db, rules, deps.clock.now(), {
        batchSize: options.batchSize,
        pauseMs: options.pauseMs ?? 10,
        shouldStop: () => stopped,
        onDeleted: (table, rows) => deps.observer?.deleted(table, rows),
      });
      deps.observer?.swept(true, deps.clock.now());
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) deps.log.info({ deleted, ms: Math.round(performance.now() - started) }, 'retention sweep');
    } catch (err) {
      deps.observer?.swept(false, deps.clock.now());
      deps.log.warn({ reason: (err as Error).message }, 'retention sweep failed; the next one will retry');
    }
  }

  function sweepNow(): Promise<void> {
    running ??= sweep().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void sweepNow().then(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  }

  schedule(Math.floor(Math.random() * Math.min(options.intervalMs, 60_000)));
  return {
    sweepNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
