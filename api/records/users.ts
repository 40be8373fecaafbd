// Users: who they are. Their second factors live in the factor modules, their lockout in lockout.ts.
import type { User } from '../../shared/schemas.ts';
import { ApiError } from '../errors.ts';
import { affected, type Db } from '../db/db.ts';
import { hotFirst, hotStatement } from '../db/hot.ts';
import { randomId } from '../crypto/secrets.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  preferred_method: string | null;
  previous_phone: string | null;
  backup_codes_sealed: string | null;
  failed_code_streak: number;
  failed_code_total: number;
  code_locked_until: number | null;
  totp_last_step: number | null;
  email_verified_at: number | null;
  managed_by_account_id: string | null;
}

/** The user as a signed-in request carries it (AppState.user): without the password hash and the sealed backup
 * codes, which only reauth and the backup-code reveal read, from the row, when they run. The session lookup reads
 * these columns on every request, so leaving out the two largest also makes each check cheaper. */
export type SessionUser = Omit<UserRow, 'password_hash' | 'backup_codes_sealed'>;

/** A full row as a signed-in request may carry it (the enrolment guard reads the full row by id). */
export function asSessionUser({ password_hash: _hash, backup_codes_sealed: _codes, ...user }: UserRow): SessionUser {
  return user;
}

export const publicUser = (row: Pick<UserRow, 'id' | 'email' | 'name' | 'email_verified_at'>): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  emailVerified: row.email_verified_at !== null,
});

/** Every column of the row, named, so a later column cannot change a prepared statement's result type under
 * PostgreSQL. */
const USER_COLUMNS = `id, email, name, password_hash, created_at, preferred_method, previous_phone, backup_codes_sealed,
  failed_code_streak, failed_code_total, code_locked_until, totp_last_step, email_verified_at, managed_by_account_id`;

// Read by every sign-in, by email at the password and by id at the code: hot-path statements (db/hot.ts).
const findByEmailStatement = hotStatement(`select ${USER_COLUMNS} from users where email = ? limit 1`);
const findByIdStatement = hotStatement(`select ${USER_COLUMNS} from users where id = ? limit 1`);

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return (await hotFirst(db, findByEmailStatement, [email.trim().toLowerCase()])) as UserRow | undefined;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return (await hotFirst(db, findByIdStatement, [id])) as UserRow | undefined;
}

/** Inserts a user; a taken email is `409 conflict` (checked by the unique index, so two racing sign-ups cannot both win). */
export async function insertUser(
  db: Db,
  input: { email: string; name: string; passwordHash: string; now: number; emailVerified?: boolean },
): Promise<UserRow> {
  const row = {
    id: randomId(),
    email: input.email.toLowerCase(),
    name: input.name,
    password_hash: input.passwordHash,
    created_at: input.now,
    email_verified_at: input.emailVerified ? input.now : null,
  };
  try {
    await db('users').insert(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError('conflict', 'An account with this email already exists.', { field: 'email' });
    throw err;
  }
  return (await findUserById(db, row.id))!;
}

/** Names by user id (for lists that show who did something). */
export async function userNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db('users')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'name');
  return new Map(rows.map((u: { id: string; name: string }) => [u.id, u.name]));
}

/** The method offered first at sign-in; null when the user has none. */
export async function setPreferredMethod(db: Db, userId: string, method: string | null): Promise<void> {
  await db('users').where({ id: userId }).update({ preferred_method: method });
}

/** The phone of a removed SMS method, offered again when the user sets SMS up anew. */
export async function setPreviousPhone(db: Db, userId: string, phone: string): Promise<void> {
  await db('users').where({ id: userId }).update({ previous_phone: phone });
}

/** The account the user came into being through manages them (contract v1.1, "Managed members"). */
export async function setManagingAccount(db: Db, userId: string, accountId: string): Promise<void> {
  await db('users').where({ id: userId }).update({ managed_by_account_id: accountId });
}

/** Marks the address proved; true when it was not already. */
export async function markEmailVerified(db: Db, userId: string, now: number): Promise<boolean> {
  return affected(await db('users').where({ id: userId }).whereNull('email_verified_at').update({ email_verified_at: now })) > 0;
}

/** Deletes an unverified user and, with it, every row that belongs to them (sessions, factors, codes, memberships
 * cascade); answers the accounts they belonged to. Used only when a new person proved the address they held. */
export async function deleteUnverifiedUser(db: Db, userId: string): Promise<{ accountIds: string[] } | null> {
  const accountIds = (await db('memberships').where({ user_id: userId }).select('account_id')).map(
    (r: { account_id: string }) => r.account_id,
  );
  const n = await db('users').where({ id: userId }).whereNull('email_verified_at').delete();
  return affected(n) === 0 ? null : { accountIds };
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
