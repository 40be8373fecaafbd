// Users: who they are. Their second factors live in the factor modules, their lockout in lockout.ts.
import type { User } from '../shared/schemas.ts';
import { ApiError } from './errors.ts';
import type { Db } from './db.ts';
import { randomId } from './secrets.ts';

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
}

export const publicUser = (row: Pick<UserRow, 'id' | 'email' | 'name'>): User => ({ id: row.id, email: row.email, name: row.name });

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email: email.trim().toLowerCase() }).first();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

/** Inserts a user; a taken email is `409 conflict` (checked by the unique index, so two racing sign-ups cannot both win). */
export async function insertUser(db: Db, input: { email: string; name: string; passwordHash: string; now: number }): Promise<UserRow> {
  const row = { id: randomId(), email: input.email.toLowerCase(), name: input.name, password_hash: input.passwordHash, created_at: input.now };
  try {
    await db('users').insert(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError('conflict', 'An account with this email already exists.', { field: 'email' });
    throw err;
  }
  return (await findUserById(db, row.id))!;
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
