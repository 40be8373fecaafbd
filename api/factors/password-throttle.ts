// Password guessing, slowed per email and per client address (NIST SP 800-63B: at most 100 consecutive failures,
// slowing well before). Every attempt is counted before the password is looked at, by one conditional UPDATE on a
// row in the database, so parallel guesses and several API instances count alike; a throttled email or address is
// refused before any password work, so a correct password cannot get in early, and known and unknown emails get
// the same answers after the same work. Rows are keyed by keyed hashes, never by the email or address itself.
//
// - Per email: 5 free failures in a row (typos), then a wait that doubles from 30 seconds to an hour after each
//   further failure, so 100 failures in a row take more than three days. A right password ends the streak, and a
//   day without a wrong one forgets it.
// - Per address: a leaky bucket of 30 failures that drains one a minute, against spraying one guess over many
//   emails. It forgives over time rather than on success (an attacker's login to an account of their own must not
//   reset it), so an office behind one NAT is only held back by a burst of typos, for a minute at a time.
import type { Deps } from '../deps.ts';
import type { Db } from '../db/db.ts';
import { hotFirst, hotRun, hotStatement } from '../db/hot.ts';
import { tooManyAttempts, type ApiError } from '../errors.ts';
import { recordEvent } from '../records/audit.ts';

const EMAIL_FREE_FAILURES = 5;
export const EMAIL_FORGET_AFTER_MS = 24 * 3600_000;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 3600_000;
const ADDRESS_BURST = 30;
const ADDRESS_DRAIN_MS = 60_000;

/** How long an email waits after `failures` wrong passwords in a row. */
export function emailWaitMs(failures: number): number {
  const over = failures - EMAIL_FREE_FAILURES;
  if (over < 0) return 0;
  return Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(over, 20));
}

export interface PasswordAttempt {
  /** The password was right: the email's streak ends; the address gets this attempt back. */
  succeeded(): Promise<void>;
  /** The password was wrong: the counted failure stands; a wait that begins now is audited and logged. */
  failed(): Promise<void>;
}

interface Counted {
  key: string;
  at: number;
}
interface EmailCounted extends Counted {
  failures: number;
}
/** `tat`: the bucket's "theoretical arrival time"; it is full when tat - now exceeds (burst - 1) drains. */
interface AddressCounted extends Counted {
  tat: number;
}
type Refused = { waitMs: number };

const keyOf = (deps: Deps, scope: 'email' | 'address', value: string) =>
  deps.secrets.keyedHash(`password-throttle:${scope}:${scope === 'email' ? value.trim().toLowerCase() : value}`);

/** Counts one password attempt for the email and the client address, or throws 429 too_many_attempts (with
 * Retry-After) while either must wait. Call before verifying the password, then `succeeded()` or `failed()`. */
export async function reservePasswordAttempt(deps: Deps, input: { email: string; ip: string; userId?: string }): Promise<PasswordAttempt> {
  const now = deps.clock.now();
  const address = await countAddressAttempt(deps.db, keyOf(deps, 'address', input.ip), now);
  if ('waitMs' in address) throw throttled(address.waitMs);
  const email = await countEmailAttempt(deps.db, keyOf(deps, 'email', input.email), now);
  if ('waitMs' in email) {
    await giveBackAddressAttempt(deps.db, address.key);
    throw throttled(email.waitMs);
  }
  return {
    async succeeded() {
      await hotRun(deps.db, emailStatements.end, [email.key]);
      await giveBackAddressAttempt(deps.db, address.key);
    },
    async failed() {
      const emailWait = emailWaitMs(email.failures);
      if (emailWait > 0) await reportWait(deps, { scope: 'email', failures: email.failures, waitMs: emailWait }, now, input);
      const addressWait = address.tat - now - (ADDRESS_BURST - 1) * ADDRESS_DRAIN_MS;
      if (addressWait > 0) await reportWait(deps, { scope: 'address', failures: ADDRESS_BURST, waitMs: addressWait }, now, input);
    },
  };
}

function throttled(waitMs: number): ApiError {
  return tooManyAttempts(waitMs / 1000, 'Too many wrong passwords. Please wait before trying again.');
}

// Every login runs these (a right password too: its attempt is counted, then given back), so they are hot-path
// statements (db/hot.ts). Their order and conditions are the throttle: each counts by one conditional UPDATE, and a
// key seen for the first time is inserted once however many attempts race for it. (PostgreSQL would guess an integer
// for a bare parameter, too small for epoch milliseconds: hence the casts.)

/** The email's wait, in SQL, for the count the UPDATE writes (`failures + 1`): emailWaitMs as a CASE. */
function emailBlockedUntilSql(): string {
  const steps: string[] = [];
  for (let over = 0; emailWaitMs(EMAIL_FREE_FAILURES + over) < LONGEST_WAIT_MS; over++)
    steps.push(`when ${over} then ${emailWaitMs(EMAIL_FREE_FAILURES + over)}`);
  return `case when failures + 1 < ${EMAIL_FREE_FAILURES} then blocked_until else cast(? as bigint) + case failures + 1 - ${EMAIL_FREE_FAILURES} ${steps.join(' ')} else ${LONGEST_WAIT_MS} end end`;
}
const emailStatements = {
  /** [now, now (the wait's start), key, now, forgetBefore]: counts the attempt, and starts the wait it earns if it fails, unless a wait runs. */
  count: hotStatement(
    `update password_throttles set failures = failures + 1, last_failure_at = cast(? as bigint), blocked_until = ${emailBlockedUntilSql()}
    where "key" = ? and blocked_until <= ? and last_failure_at > ? returning failures`,
  ),
  find: hotStatement('select failures, last_failure_at, blocked_until from password_throttles where "key" = ? limit 1'),
  forget: hotStatement('delete from password_throttles where "key" = ? and last_failure_at = ?'),
  prune: hotStatement('delete from password_throttles where last_failure_at <= ?'),
  start: hotStatement(
    'insert into password_throttles ("key", failures, last_failure_at, blocked_until) values (?, 1, ?, 0) on conflict ("key") do nothing returning "key"',
  ),
  end: hotStatement('delete from password_throttles where "key" = ?'),
};
const addressStatements = {
  /** [now, now, drain, key, fullAt]: one more attempt in the bucket, unless it is full. */
  count: hotStatement(
    `update address_throttles set tat = case when tat > cast(? as bigint) then tat else cast(? as bigint) end + ?
    where "key" = ? and tat <= ? returning tat`,
  ),
  find: hotStatement('select tat from address_throttles where "key" = ? limit 1'),
  prune: hotStatement('delete from address_throttles where tat < ?'),
  start: hotStatement('insert into address_throttles ("key", tat) values (?, ?) on conflict ("key") do nothing returning "key"'),
  giveBack: hotStatement('update address_throttles set tat = tat - ? where "key" = ?'),
};

async function countEmailAttempt(db: Db, key: string, now: number): Promise<EmailCounted | Refused> {
  for (let i = 0; i < 3; i++) {
    // The common case, in one statement.
    const counted = await hotFirst(db, emailStatements.count, [now, now, key, now, now - EMAIL_FORGET_AFTER_MS]);
    if (counted) return { key, at: now, failures: Number(counted.failures) };
    const row = await hotFirst(db, emailStatements.find, [key]);
    if (row && Number(row.last_failure_at) > now - EMAIL_FORGET_AFTER_MS) {
      if (Number(row.blocked_until) > now) return { waitMs: Number(row.blocked_until) - now };
      continue; // the wait ended between the two statements
    }
    // No row, or failures so old they are forgotten: start again from this attempt.
    if (row) await hotRun(db, emailStatements.forget, [key, Number(row.last_failure_at)]);
    else await hotRun(db, emailStatements.prune, [now - EMAIL_FORGET_AFTER_MS]); // prune forgotten rows
    if (await hotFirst(db, emailStatements.start, [key, now])) return { key, at: now, failures: 1 };
  }
  return { waitMs: 1000 }; // still racing: a flood of parallel first attempts; refuse this one rather than let it through
}

async function countAddressAttempt(db: Db, key: string, now: number): Promise<AddressCounted | Refused> {
  const fullAt = now + (ADDRESS_BURST - 1) * ADDRESS_DRAIN_MS;
  for (let i = 0; i < 3; i++) {
    const counted = await hotFirst(db, addressStatements.count, [now, now, ADDRESS_DRAIN_MS, key, fullAt]);
    if (counted) return { key, at: now, tat: Number(counted.tat) };
    const row = await hotFirst(db, addressStatements.find, [key]);
    if (row) {
      if (Number(row.tat) > fullAt) return { waitMs: Number(row.tat) - fullAt };
      continue;
    }
    await hotRun(db, addressStatements.prune, [now]); // prune drained buckets
    if (await hotFirst(db, addressStatements.start, [key, now + ADDRESS_DRAIN_MS])) return { key, at: now, tat: now + ADDRESS_DRAIN_MS };
  }
  return { waitMs: 1000 };
}

async function giveBackAddressAttempt(db: Db, key: string): Promise<void> {
  await hotRun(db, addressStatements.giveBack, [ADDRESS_DRAIN_MS, key]);
}

/** A wait begins: one audit event and one log line for the failure that starts it (a refused attempt writes nothing). */
async function reportWait(
  deps: Deps,
  wait: { scope: 'email' | 'address'; failures: number; waitMs: number },
  at: number,
  input: { ip: string; userId?: string },
): Promise<void> {
  const detail = { scope: wait.scope, failures: wait.failures, retryAfterSeconds: Math.ceil(wait.waitMs / 1000) };
  await recordEvent(deps.db, {
    type: 'login.password_throttled',
    at,
    subjectUserId: wait.scope === 'email' ? (input.userId ?? null) : null,
    ip: input.ip,
    detail,
  });
  deps.log.warn({ ...detail, ip: input.ip }, 'password guessing throttled');
}
