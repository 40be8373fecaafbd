// Sessions: opaque 256-bit tokens kept as SHA-256 hashes, one per sign-in, shared by the web app and the
// dialer. Idle expiry (30 min, refreshed on use) and absolute expiry (12 h) are enforced here, server-side.
import type { Client, SessionListItem } from '../../shared/schemas.ts';
import { affected, iso, toBool, type Db } from '../db/db.ts';
import { hashToken, newTokenRow } from '../crypto/secrets.ts';
import { hotFirstValues, hotRun, hotStatement, hotValuesStatement, type ValuesStatement } from '../db/hot.ts';
import type { SessionUser } from './users.ts';
import { parseSessionAccounts, SESSION_ACCOUNTS_SQL, type SessionAccount } from './accounts.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
export const REAUTH_WINDOW_MS = 10 * 60_000;
/** Refresh the idle deadline at most once a minute: a write per request would cost more than the check. */
const IDLE_REFRESH_EVERY_MS = 60_000;

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  reauth_until: number;
  clients: string;
  ip: string | null;
  user_agent: string | null;
  ended_at: number | null;
  ended_reason: SessionEndReason | null;
}

/** Why a session ended, told to whoever still holds its token (`401 unauthenticated` with `reason`). An ended row
 * stays until the retention sweep removes it. */
export type SessionEndReason = 'signed_out' | '2fa_reset' | '2fa_enabled' | 'ended';

export const sessionExpiresAt = (s: Pick<SessionRow, 'idle_expires_at' | 'absolute_expires_at'>): number =>
  Math.min(s.idle_expires_at, s.absolute_expires_at);

export const sessionClients = (s: Pick<SessionRow, 'clients'>): Client[] => JSON.parse(s.clients) as Client[];

const sessionColumns = [
  'id',
  'token_hash',
  'user_id',
  'created_at',
  'last_used_at',
  'idle_expires_at',
  'absolute_expires_at',
  'reauth_until',
  'clients',
  'ip',
  'user_agent',
  'ended_at',
  'ended_reason',
];

const liveSessionColumns = [
  'id',
  'user_id',
  'last_used_at',
  'idle_expires_at',
  'absolute_expires_at',
  'reauth_until',
  'clients',
  'ended_at',
  'ended_reason',
] as const satisfies readonly (keyof SessionRow)[];
/** The part of a session a request works with (the lookup reads no more): not its token hash, nor where and when
 * it began, which only the sessions list shows. */
export type LiveSession = Pick<SessionRow, (typeof liveSessionColumns)[number]>;

/** Every sign-in inserts one: a hot-path statement (db/hot.ts). */
const insertStatement = hotStatement(
  `insert into sessions (${sessionColumns.join(', ')}) values (${sessionColumns.map(() => '?').join(', ')})`,
);

export async function createSession(
  db: Db,
  input: { userId: string; client: Client; ip: string; userAgent: string | null; now: number },
): Promise<{ token: string; session: SessionRow }> {
  const { token, ...key } = newTokenRow();
  const session: SessionRow = {
    ...key,
    user_id: input.userId,
    created_at: input.now,
    last_used_at: input.now,
    idle_expires_at: input.now + SESSION_IDLE_MS,
    absolute_expires_at: input.now + SESSION_ABSOLUTE_MS,
    // A sign-in that just passed every factor counts as a fresh proof for sensitive calls.
    reauth_until: input.now + REAUTH_WINDOW_MS,
    clients: JSON.stringify([input.client]),
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 300) ?? null,
    ended_at: null,
    ended_reason: null,
  };
  await hotRun(
    db,
    insertStatement,
    sessionColumns.map((c) => session[c as keyof SessionRow]),
  );
  return { token, session };
}

const userColumns = [
  'id',
  'email',
  'name',
  'created_at',
  'preferred_method',
  'previous_phone',
  'failed_code_streak',
  'failed_code_total',
  'code_locked_until',
  'totp_last_step',
  'email_verified_at',
  'managed_by_account_id',
] as const;

/** The lookup, one hot statement (db/hot.ts) per policy expression: the session, its user, the policy's answer and
 * the user's accounts, in one round trip, read as values in this order (hotFirstValues). Written as SQL (no
 * builder): building it per request cost more than running it (bench/README.md). */
const lookupStatements = new Map<string, ValuesStatement>();
function lookupStatement(mayRequireSql: string): ValuesStatement {
  let statement = lookupStatements.get(mayRequireSql);
  if (!statement) {
    const select = (accountsSql: string) => [
      ...liveSessionColumns.map((c) => `s.${c}`),
      ...userColumns.map((c) => `u.${c}`),
      mayRequireSql,
      accountsSql,
    ];
    statement = hotValuesStatement(
      { sqlite: select(SESSION_ACCOUNTS_SQL.sqlite), pg: select(SESSION_ACCOUNTS_SQL.pg) },
      'from sessions s join users u on u.id = s.user_id where s.token_hash = ? limit 1',
    );
    lookupStatements.set(mayRequireSql, statement);
  }
  return statement;
}

/** The lookup's SQLite text, and where its values sit: the bench's session ceiling (bench/servers/session-ceiling.ts)
 * runs this very statement in bare Koa, so the lookup it is measured against stays Twofold's as that changes. */
export function sessionLookupLayout(mayRequireSql: string) {
  return {
    sql: lookupStatement(mayRequireSql).sqlite.sql,
    session: (column: (typeof liveSessionColumns)[number]) => liveSessionColumns.indexOf(column),
    user: (column: (typeof userColumns)[number]) => USER_FROM + userColumns.indexOf(column),
    mayRequire: MAY_REQUIRE_AT,
    accounts: ACCOUNTS_AT,
  };
}

/** The row of `columns` whose values start at `from` in the lookup's values. */
function rowOf(values: readonly unknown[], columns: readonly string[], from: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[from + i];
  return row;
}
const USER_FROM = liveSessionColumns.length;
const MAY_REQUIRE_AT = USER_FROM + userColumns.length;
const ACCOUNTS_AT = MAY_REQUIRE_AT + 1;

export type SessionLookup =
  | { status: 'live'; session: LiveSession; user: SessionUser; mayRequire2fa: boolean; accounts: SessionAccount[] }
  | { status: 'ended'; reason: SessionEndReason | 'expired' }
  | { status: 'unknown' };

/** A token's session and its user, in one indexed lookup: live, ended (and why), or unknown; with it, the answer of
 * `mayRequireSql` (policy/may-require.ts: could any account require 2FA of the user?) and the user's accounts. */
export async function lookupSession(db: Db, token: string, now: number, mayRequireSql: string): Promise<SessionLookup> {
  const values = await hotFirstValues(db, lookupStatement(mayRequireSql), [hashToken(token)]);
  if (!values) return { status: 'unknown' };
  const session = rowOf(values, liveSessionColumns, 0) as unknown as LiveSession;
  if (session.ended_at !== null) return { status: 'ended', reason: session.ended_reason ?? 'ended' };
  if (sessionExpiresAt(session) <= now) return { status: 'ended', reason: 'expired' };
  return {
    status: 'live',
    session,
    user: rowOf(values, userColumns, USER_FROM) as unknown as SessionUser,
    mayRequire2fa: toBool(values[MAY_REQUIRE_AT]),
    accounts: parseSessionAccounts(values[ACCOUNTS_AT]),
  };
}

/** `clients` is written only when this request adds one (null keeps the column): a concurrent request's client stays. */
const touchStatement = hotStatement(
  'update sessions set last_used_at = ?, idle_expires_at = ?, clients = coalesce(?, clients) where id = ?',
);

/** Records use: slides the idle deadline (never past the absolute one) and remembers which client called. Writes
 * only when a new client called or the last write is a minute old: most checks write nothing. */
export async function touchSession(db: Db, session: LiveSession, client: Client | null, now: number): Promise<void> {
  const clients = sessionClients(session);
  const newClient = client !== null && !clients.includes(client);
  if (!newClient && now - session.last_used_at < IDLE_REFRESH_EVERY_MS) return;
  const update: Partial<LiveSession> = { last_used_at: now, idle_expires_at: now + SESSION_IDLE_MS };
  if (newClient) update.clients = JSON.stringify([...clients, client]);
  await hotRun(db, touchStatement, [now, now + SESSION_IDLE_MS, update.clients ?? null, session.id]);
  Object.assign(session, update);
}

export async function extendReauth(db: Db, sessionId: string, now: number): Promise<number> {
  const until = now + REAUTH_WINDOW_MS;
  await db('sessions').where({ id: sessionId }).update({ reauth_until: until });
  return until;
}

/** Ends one session of the user; false when it is not theirs or already ended. */
export async function endSession(db: Db, userId: string, sessionId: string, reason: SessionEndReason, now: number): Promise<boolean> {
  return (
    affected(
      await db('sessions').where({ id: sessionId, user_id: userId }).whereNull('ended_at').update({ ended_at: now, ended_reason: reason }),
    ) > 0
  );
}

/** Ends every session of the user but `exceptId` (the one that asked, when it should live on). */
export async function endSessionsOfUser(db: Db, userId: string, reason: SessionEndReason, now: number, exceptId?: string): Promise<void> {
  const q = db('sessions').where({ user_id: userId }).whereNull('ended_at');
  if (exceptId) q.whereNot({ id: exceptId });
  await q.update({ ended_at: now, ended_reason: reason });
}

export async function listSessions(db: Db, userId: string, currentId: string | null, now: number): Promise<SessionListItem[]> {
  const rows: SessionRow[] = await db('sessions').where({ user_id: userId }).whereNull('ended_at').orderBy('last_used_at', 'desc');
  return rows
    .filter((s) => sessionExpiresAt(s) > now)
    .map((s) => ({
      id: s.id,
      clients: sessionClients(s),
      ip: s.ip,
      userAgent: s.user_agent,
      createdAt: iso(s.created_at),
      lastUsedAt: iso(s.last_used_at),
      current: s.id === currentId,
    }));
}
