// Wrong-code counters per user, across challenges, addresses and request spellings: 10 wrong codes in a row lock
// code entry for 15 minutes; 100 in a row (the NIST ceiling) lock it until an admin resets the user's 2FA.
// Every attempt is reserved by one conditional UPDATE before the code is looked at, so parallel guesses cannot
// race past the limit.
import type { Deps } from '../deps.ts';
import type { Db } from '../db/db.ts';
import { hotRun, hotStatement } from '../db/hot.ts';
import { tooManyAttempts } from '../errors.ts';
import { recordEvent } from '../records/audit.ts';
import { findUserById, type SessionUser } from '../records/users.ts';

export const LOCK_AFTER_WRONG_CODES = 10;
export const LOCK_MS = 15 * 60_000;
export const HARD_LOCK_AFTER_WRONG_CODES = 100;

/** Seconds until the user may enter codes again, or 0. */
export function lockRemainingSeconds(user: Pick<SessionUser, 'code_locked_until' | 'failed_code_total'>, now: number): number {
  if (user.failed_code_total >= HARD_LOCK_AFTER_WRONG_CODES) return LOCK_MS / 1000;
  return user.code_locked_until && user.code_locked_until > now ? Math.ceil((user.code_locked_until - now) / 1000) : 0;
}

export function lockedError(seconds: number) {
  return tooManyAttempts(seconds, 'Too many wrong codes. Code entry is locked for a while; try again later.');
}

// Every code check reserves and (mostly) resets: hot-path statements (db/hot.ts).
const reserveStatement = hotStatement(
  `update users set failed_code_streak = failed_code_streak + 1, failed_code_total = failed_code_total + 1
  where id = ? and failed_code_streak < ? and failed_code_total < ? and (code_locked_until is null or code_locked_until <= ?)`,
);
/** A flood of wrong codes runs this on every one of them. */
const lockStatement = hotStatement(
  'update users set failed_code_streak = 0, code_locked_until = ? where id = ? and failed_code_streak >= ?',
);
const resetStatement = hotStatement(
  'update users set failed_code_streak = 0, failed_code_total = 0, code_locked_until = null where id = ?',
);

/** Takes one code attempt for the user, or throws 429 while code entry is locked. */
export async function reserveCodeAttempt(db: Db, userId: string, now: number): Promise<void> {
  const n = await hotRun(db, reserveStatement, [userId, LOCK_AFTER_WRONG_CODES, HARD_LOCK_AFTER_WRONG_CODES, now]);
  if (n > 0) return;
  const user = await findUserById(db, userId);
  throw lockedError(user ? Math.max(1, lockRemainingSeconds(user, now)) : LOCK_MS / 1000);
}

/** A right code (the reserved attempt was not a failure), or an admin reset: the streak and any lock end. */
export async function resetCodeCounters(db: Db, userId: string): Promise<void> {
  await hotRun(db, resetStatement, [userId]);
}

/** A wrong code: the reserved attempt stands. At the tenth in a row, lock (once, however many raced) and audit. */
export async function recordCodeFailure(
  { db, metrics }: Pick<Deps, 'db' | 'metrics'>,
  userId: string,
  ip: string,
  now: number,
): Promise<{ lockedSeconds: number }> {
  const locked = await hotRun(db, lockStatement, [now + LOCK_MS, userId, LOCK_AFTER_WRONG_CODES]);
  if (locked > 0) {
    metrics.countLockout();
    await recordEvent(db, { type: 'login.locked_out', at: now, subjectUserId: userId, ip, detail: { minutes: LOCK_MS / 60_000 } });
    return { lockedSeconds: LOCK_MS / 1000 };
  }
  const user = await findUserById(db, userId);
  return { lockedSeconds: user ? lockRemainingSeconds(user, now) : 0 };
}
