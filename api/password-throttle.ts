// Password guessing, slowed per email and per client address (NIST SP 800-63B: at most 100 consecutive failures,
// slowing well before). A few free tries for typos, then a wait that doubles from 30 seconds to an hour after each
// further failure: reaching 100 failures in a row for one email takes more than three days.
//
// Every attempt is reserved before the password is looked at, by one conditional UPDATE on a row in the database
// (so parallel guesses and several API instances count alike), and a throttled email is refused before any
// password work: a correct password cannot unlock it early, and known and unknown emails get the same answers
// after the same work. Rows are keyed by a keyed hash, never by the email itself.
import type { Deps } from './deps.ts';
import { affected } from './db.ts';
import { tooManyAttempts, type ApiError } from './errors.ts';
import { recordEvent } from './audit.ts';

export type ThrottleScope = 'email' | 'address';

interface ScopeRule {
  /** Failures in a row that cost nothing (typos; for an address, several people behind one NAT). */
  free: number;
  /** Forget the failures after this long without one. */
  forgetAfterMs: number;
}

const RULES: Record<ThrottleScope, ScopeRule> = {
  email: { free: 5, forgetAfterMs: 24 * 3600_000 },
  address: { free: 30, forgetAfterMs: 24 * 3600_000 },
};
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 3600_000;
/** Optimistic retries when parallel attempts race for the same row. */
const RESERVE_TRIES = 8;

interface ThrottleRow { key: string; failures: number; last_failure_at: number }

/** How long to wait after `failures` failed passwords in a row before the next try. */
export function waitAfterMs(scope: ThrottleScope, failures: number): number {
  const over = failures - RULES[scope].free;
  if (over < 0) return 0;
  return Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(over, 20));
}

/** One reserved attempt: what the row held before, so a right password can give it back. */
interface Reservation { scope: ThrottleScope; key: string; before: ThrottleRow | null; failures: number; at: number }

export interface PasswordAttempt {
  /** The password was right: the email's failures end; the address's reserved attempt is given back. */
  succeeded(): Promise<void>;
  /** The password was wrong: the reserved failures stand; a wait that begins now is audited and logged. */
  failed(): Promise<void>;
}

const keyOf = (deps: Deps, scope: ThrottleScope, value: string) =>
  deps.secrets.keyedHash(`password-throttle:${scope}:${scope === 'email' ? value.trim().toLowerCase() : value}`);

/** Reserves one password attempt for the email and the client address, or throws 429 too_many_attempts (with
 * Retry-After) while either must wait. Call before verifying the password, then `succeeded()` or `failed()`. */
export async function reservePasswordAttempt(deps: Deps, input: { email: string; ip: string; userId?: string }): Promise<PasswordAttempt> {
  const now = deps.clock.now();
  const address = await reserve(deps, 'address', keyOf(deps, 'address', input.ip), now);
  if ('waitMs' in address) throw throttled(address.waitMs);
  const email = await reserve(deps, 'email', keyOf(deps, 'email', input.email), now);
  if ('waitMs' in email) {
    await giveBack(deps, address);
    throw throttled(email.waitMs);
  }
  return {
    async succeeded() {
      await deps.db('password_throttles').where({ key: email.key }).delete();
      await giveBack(deps, address);
    },
    async failed() {
      for (const r of [email, address]) {
        const waitMs = waitAfterMs(r.scope, r.failures);
        if (waitMs > 0) await reportWait(deps, r, waitMs, input);
      }
    },
  };
}

function throttled(waitMs: number): ApiError {
  return tooManyAttempts(waitMs / 1000, 'Too many wrong passwords. Please wait before trying again.');
}

async function reserve(deps: Deps, scope: ThrottleScope, key: string, now: number): Promise<Reservation | { waitMs: number }> {
  const { db } = deps;
  for (let i = 0; i < RESERVE_TRIES; i++) {
    const row = await db<ThrottleRow>('password_throttles').where({ key }).first();
    if (!row) {
      const inserted = await db('password_throttles').insert({ key, failures: 1, last_failure_at: now }).onConflict('key').ignore().returning('key');
      if (inserted.length > 0) return { scope, key, before: null, failures: 1, at: now };
      continue; // a parallel attempt created the row first: count against it
    }
    const stale = now - row.last_failure_at > RULES[scope].forgetAfterMs;
    const failures = stale ? 0 : row.failures;
    const waitMs = row.last_failure_at + waitAfterMs(scope, failures) - now;
    if (!stale && waitMs > 0) return { waitMs };
    const n = await db('password_throttles').where({ key, failures: row.failures, last_failure_at: row.last_failure_at })
      .update({ failures: failures + 1, last_failure_at: now });
    if (affected(n) > 0) return { scope, key, before: row, failures: failures + 1, at: now };
  }
  // Still racing after several tries: a flood of parallel guesses. Refuse this one rather than let it through.
  return { waitMs: 1000 };
}

/** Undoes one reservation: back to the row as it was if nobody else counted since, else one failure fewer. */
async function giveBack(deps: Deps, r: Reservation): Promise<void> {
  const { db } = deps;
  const untouched = db('password_throttles').where({ key: r.key, failures: r.failures, last_failure_at: r.at });
  const n = r.before
    ? await untouched.update({ failures: r.before.failures, last_failure_at: r.before.last_failure_at })
    : await untouched.delete();
  if (affected(n) > 0) return;
  await db('password_throttles').where({ key: r.key }).where('failures', '>', 0).decrement('failures', 1);
}

/** A wait begins: one audit event and one log line per failure that starts it (a throttled key writes nothing). */
async function reportWait(deps: Deps, r: Reservation, waitMs: number, input: { ip: string; userId?: string }): Promise<void> {
  const detail = { scope: r.scope, failures: r.failures, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  await recordEvent(deps.db, { type: 'login.password_throttled', at: r.at, subjectUserId: r.scope === 'email' ? input.userId ?? null : null, ip: input.ip, detail });
  deps.log.warn({ ...detail, ip: input.ip }, 'password guessing throttled');
}
