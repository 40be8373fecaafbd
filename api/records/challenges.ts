// Login challenges: a random server-side record bound to the user and the password check that created it,
// 10 minutes, single use, 5 code attempts. The id the client holds is a 256-bit token kept only as a hash.
import type { Client, EnrollableMethod, Method } from '../../shared/schemas.ts';
import type { Db } from '../db/db.ts';
import { hotFirst, hotRun, hotStatement } from '../db/hot.ts';
import { hashToken, newTokenRow } from '../crypto/secrets.ts';

export const CHALLENGE_TTL_MS = 10 * 60_000;
export const CHALLENGE_MAX_ATTEMPTS = 5;

export type ChallengeKind = 'login' | 'setup';

export interface ChallengeRow {
  id: string;
  token_hash: string;
  user_id: string;
  kind: ChallengeKind;
  /** login: the methods offered; setup: the methods the user may enrol. */
  methods: string;
  client: Client;
  ip: string | null;
  user_agent: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
}

export const challengeMethods = (c: ChallengeRow): Method[] => JSON.parse(c.methods) as Method[];
export const isLive = (c: ChallengeRow, now: number): boolean => c.completed_at === null && c.expires_at > now;

const challengeColumns = [
  'id',
  'token_hash',
  'user_id',
  'kind',
  'methods',
  'client',
  'ip',
  'user_agent',
  'attempts',
  'created_at',
  'expires_at',
  'completed_at',
] as const satisfies readonly (keyof ChallengeRow)[];
/** Every sign-in that asks for a code inserts one: a hot-path statement (db/hot.ts). */
const insertStatement = hotStatement(
  `insert into challenges (${challengeColumns.join(', ')}) values (${challengeColumns.map(() => '?').join(', ')})`,
);

export async function createChallenge(
  db: Db,
  input: {
    userId: string;
    kind: ChallengeKind;
    methods: (Method | EnrollableMethod)[];
    client: Client;
    ip: string;
    userAgent: string | null;
    now: number;
  },
): Promise<{ challengeId: string; challenge: ChallengeRow }> {
  const { token: challengeId, ...key } = newTokenRow();
  const challenge: ChallengeRow = {
    ...key,
    user_id: input.userId,
    kind: input.kind,
    methods: JSON.stringify(input.methods),
    client: input.client,
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 300) ?? null,
    attempts: 0,
    created_at: input.now,
    expires_at: input.now + CHALLENGE_TTL_MS,
    completed_at: null,
  };
  await hotRun(
    db,
    insertStatement,
    challengeColumns.map((c) => challenge[c]),
  );
  return { challengeId, challenge };
}

// The code check's statements run on the hot path (db/hot.ts): every verify reads, reserves and completes a challenge.
const findStatement = hotStatement(
  `select c.id, c.token_hash, c.user_id, c.kind, c.methods, c.client, c.ip, c.user_agent, c.attempts, c.created_at,
  c.expires_at, c.completed_at, u.code_locked_until as user_code_locked_until, u.failed_code_total as user_failed_code_total
  from challenges c join users u on u.id = c.user_id where c.token_hash = ? limit 1`,
);

/** findChallenge's answer: the row, and its user's code lock (factors/lockout.ts) read in the same statement, so a
 * code check can refuse a locked user before it reserves anything (code-attempt.ts). */
export interface FoundChallenge extends ChallengeRow {
  userCodeLock: { code_locked_until: number | null; failed_code_total: number };
}

export async function findChallenge(db: Db, challengeId: string): Promise<FoundChallenge | undefined> {
  if (challengeId.length > 100) return undefined;
  const row = (await hotFirst(db, findStatement, [hashToken(challengeId)])) as
    | (ChallengeRow & { user_code_locked_until: number | null; user_failed_code_total: number })
    | undefined;
  if (!row) return undefined;
  const { user_code_locked_until, user_failed_code_total, ...challenge } = row;
  return { ...challenge, userCodeLock: { code_locked_until: user_code_locked_until, failed_code_total: user_failed_code_total } };
}

/** One statement: the conditional increment answers the tries now used (RETURNING, on both engines). */
const reserveStatement = hotStatement(
  'update challenges set attempts = attempts + 1 where id = ? and completed_at is null and expires_at > ? and attempts < ? returning attempts',
);
/** Takes one of the challenge's 5 attempts atomically, before the code is looked at: 50 parallel guesses get 5 evaluations. */
export async function reserveAttempt(db: Db, challenge: ChallengeRow, now: number): Promise<number | null> {
  const row = await hotFirst(db, reserveStatement, [challenge.id, now, CHALLENGE_MAX_ATTEMPTS]);
  return row ? Number(row.attempts) : null;
}

const completeStatement = hotStatement('update challenges set completed_at = ? where id = ? and completed_at is null');
/** Marks the challenge used; false when another request completed it first (single use). */
export async function completeChallenge(db: Db, challengeId: string, now: number): Promise<boolean> {
  return (await hotRun(db, completeStatement, [now, challengeId])) > 0;
}

export async function endChallengesOfUser(db: Db, userId: string, now: number): Promise<void> {
  await db('challenges').where({ user_id: userId }).whereNull('completed_at').update({ completed_at: now });
}

/** Ends the user's pending setup_required challenges but `exceptId`: once a method is on, a setup challenge id
 * taken earlier (a leaked link, a log line, another tab) must not enrol a second seed behind the user's back. */
export async function endSetupChallengesOfUser(db: Db, userId: string, now: number, exceptId?: string): Promise<void> {
  const q = db('challenges').where({ user_id: userId, kind: 'setup' }).whereNull('completed_at');
  if (exceptId) q.whereNot({ id: exceptId });
  await q.update({ completed_at: now });
}
