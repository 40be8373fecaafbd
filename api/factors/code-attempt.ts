// The one attempt guard every code check goes through (a sign-in challenge, an enrolment, a re-authentication, a
// policy confirmation; codes and security keys alike), so a fix to the rule lands everywhere:
//   refuse what a row just read shows spent (the counter) or locked (the user), without a write -> reserve an
//   attempt of the counter in play (the challenge's 5) and of the user (the lockout's 10 in a row), both by
//   conditional UPDATEs before the code is looked at -> check -> on failure record it: locked at the tenth in a
//   row (429), the counter spent (429), else 401 invalid_code -> on success end the user's streak.
// A wrong code is a value (null) from the check, never an exception.
import type { Deps } from '../deps.ts';
import { ApiError, tooManyAttempts } from '../errors.ts';
import { lockedError, lockRemainingSeconds, recordCodeFailure, reserveCodeAttempt, resetCodeCounters } from './lockout.ts';
import { CHALLENGE_MAX_ATTEMPTS, reserveAttempt, type ChallengeRow } from '../records/challenges.ts';

/** A budget of tries that a check spends one of before it looks at the code. */
export interface AttemptCounter {
  /** Known to be spent already (from the row just read): answered without a write, so a flood against it costs nothing. */
  spent: boolean;
  /** Takes one try atomically; answers the tries now used, or null when none was left. */
  reserve(): Promise<number | null>;
  max: number;
  /** The 429 once the budget is spent: how long to wait, and what to do. */
  retryAfterSeconds: number;
  spentMessage: string;
}

export async function checkCodeAttempt<Proof>(
  deps: Pick<Deps, 'db' | 'metrics'>,
  attempt: {
    userId: string;
    ip: string;
    now: number;
    counter?: AttemptCounter;
    /** The user's code lock as a row just read shows it (the challenge's read carries it). A locked user is then
     * refused without a write: a flood of codes for a locked user costs one read each, and spends none of the
     * challenge's tries. The reservation below still decides every attempt that gets past this. */
    knownLock?: { code_locked_until: number | null; failed_code_total: number };
  },
  check: () => Promise<Proof | null>,
): Promise<Proof> {
  const { counter } = attempt;
  if (counter?.spent) throw tooManyAttempts(counter.retryAfterSeconds, counter.spentMessage);
  const lockedSeconds = attempt.knownLock ? lockRemainingSeconds(attempt.knownLock, attempt.now) : 0;
  if (lockedSeconds > 0) throw lockedError(lockedSeconds);
  const used = counter ? await counter.reserve() : 0;
  if (counter && used === null) throw tooManyAttempts(counter.retryAfterSeconds, counter.spentMessage);
  await reserveCodeAttempt(deps.db, attempt.userId, attempt.now);
  const proof = await check();
  if (proof === null) {
    const { lockedSeconds } = await recordCodeFailure(deps, attempt.userId, attempt.ip, attempt.now);
    if (lockedSeconds > 0) throw lockedError(lockedSeconds);
    if (!counter) throw new ApiError('invalid_code');
    if (used! >= counter.max) throw tooManyAttempts(counter.retryAfterSeconds, counter.spentMessage);
    throw new ApiError('invalid_code', undefined, { attemptsRemaining: counter.max - used! });
  }
  await resetCodeCounters(deps.db, attempt.userId);
  return proof;
}

/** The 5 tries of a sign-in or setup_required challenge. */
export function challengeAttempts(deps: Pick<Deps, 'db'>, challenge: ChallengeRow, now: number): AttemptCounter {
  return {
    spent: challenge.attempts >= CHALLENGE_MAX_ATTEMPTS,
    reserve: () => reserveAttempt(deps.db, challenge, now),
    max: CHALLENGE_MAX_ATTEMPTS,
    retryAfterSeconds: 60,
    spentMessage: 'Too many wrong codes for this sign-in. Please sign in again.',
  };
}
