// Accounts (organisations) and who belongs to them with which role. Roles are read from the membership row only.
import type { Role } from '../../shared/schemas.ts';
import type { Db } from '../db/db.ts';
import { hotRows, hotStatement } from '../db/hot.ts';
import { randomId } from '../crypto/secrets.ts';
import { ApiError } from '../errors.ts';

export interface AccountRow {
  id: string;
  name: string;
  created_at: number;
  enforce: 'off' | 'admins' | 'all';
  allowed_methods: string;
  remember_device_days: number;
  enforce_outside_ip_ranges: string;
  api_allowed_ranges: string;
  policy_updated_at: number;
  enforce_tightened_at: number | null;
  grace_period_days: number;
  admins_required_since: number | null;
  all_required_since: number | null;
}

export interface MembershipRow {
  account_id: string;
  user_id: string;
  role: Role;
  require_2fa: boolean | number;
  require_2fa_at: number | null;
  created_at: number;
}

const roleRank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
export const hasRole = (actual: Role, needed: Role): boolean => roleRank[actual] >= roleRank[needed];

export async function createAccount(db: Db, input: { name: string; ownerId: string; now: number }): Promise<AccountRow> {
  const id = randomId();
  await db.transaction(async (trx) => {
    await trx('accounts').insert({ id, name: input.name, created_at: input.now, policy_updated_at: input.now });
    await trx('memberships').insert({ account_id: id, user_id: input.ownerId, role: 'owner', created_at: input.now });
  });
  return (await findAccount(db, id))!;
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db<AccountRow>('accounts').where({ id }).first();
}

/** Locks the account's row until the transaction ends. Every change to an account's owners takes this lock first,
 * so two owners demoting or removing each other at once queue up instead of deadlocking on each other's rows. */
export async function lockAccount(trx: Db, accountId: string): Promise<void> {
  await trx('accounts').where({ id: accountId }).forUpdate().first('id');
}

export async function findMembership(db: Db, accountId: string, userId: string): Promise<MembershipRow | undefined> {
  return db<MembershipRow>('memberships').where({ account_id: accountId, user_id: userId }).first();
}

/** The user's membership in the account: `404 not_found` when they are not a member. */
export async function requireMembership(db: Db, accountId: string, userId: string): Promise<MembershipRow> {
  const membership = await findMembership(db, accountId, userId);
  if (!membership) throw new ApiError('not_found', 'No such member.');
  return membership;
}

/** The membership row, locked until the transaction ends (after lockAccount, so locks are taken in one order). */
export async function lockMembership(trx: Db, accountId: string, userId: string): Promise<MembershipRow | undefined> {
  return trx<MembershipRow>('memberships').where({ account_id: accountId, user_id: userId }).forUpdate().first();
}

/** The account's owners other than `userId`, locked until the transaction ends. */
export async function lockOtherOwners(trx: Db, accountId: string, userId: string): Promise<string[]> {
  const rows = await trx('memberships')
    .where({ account_id: accountId, role: 'owner' })
    .whereNot({ user_id: userId })
    .forUpdate()
    .select('user_id');
  return rows.map((r: { user_id: string }) => r.user_id);
}

/** Only invitations.ts adds members (nobody joins without accepting). */
export async function addMembership(db: Db, input: { accountId: string; userId: string; role: Role; now: number }): Promise<void> {
  await db('memberships').insert({ account_id: input.accountId, user_id: input.userId, role: input.role, created_at: input.now });
}

export async function setRole(db: Db, accountId: string, userId: string, role: Role): Promise<void> {
  await db('memberships').where({ account_id: accountId, user_id: userId }).update({ role });
}

export async function removeMembership(db: Db, accountId: string, userId: string): Promise<void> {
  await db('memberships').where({ account_id: accountId, user_id: userId }).delete();
}

/** The per-member requirement; `require_2fa_at` marks when it began (grace periods and trusted devices count from it). */
export async function setRequire2fa(db: Db, accountId: string, userId: string, on: boolean, now: number): Promise<void> {
  await db('memberships')
    .where({ account_id: accountId, user_id: userId })
    .update({ require_2fa: on, require_2fa_at: on ? now : null });
}

/** Writes the account's 2FA policy columns (policy/account-policy.ts decides what they hold). */
export async function updatePolicyColumns(
  db: Db,
  accountId: string,
  columns: Partial<Omit<AccountRow, 'id' | 'name' | 'created_at' | 'api_allowed_ranges'>>,
): Promise<void> {
  await db('accounts').where({ id: accountId }).update(columns);
}

/** Deletes the given accounts that no longer have any member (an unverified user's own account, once replaced). */
export async function deleteAccountsWithoutMembers(db: Db, accountIds: string[]): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const orphaned = (
    await db('accounts')
      .whereIn('id', accountIds)
      .whereNotExists(db('memberships').whereRaw('memberships.account_id = accounts.id'))
      .select('id')
  ).map((r: { id: string }) => r.id);
  if (orphaned.length) await db('accounts').whereIn('id', orphaned).delete();
  return orphaned;
}

/** The accounts and roles of the sessions row `s`'s user, as one JSON array column: the session lookup (sessions.ts)
 * reads them in the same statement, so GET /session is one round trip; `parseSessionAccounts` reads the column on
 * either engine and gives the same order and fields as listMembershipsWithAccounts, oldest membership first.
 * - Each membership is `[account id, account name, role, joined at]`, and the order is made in JavaScript: an
 *   `order by` inside SQLite's aggregate builds a temporary B-tree on every execution, which was 10 of the lookup's
 *   34 µs in the production server (bench/README.md), for lists of one or two.
 * - Each account's name is read by its key (every membership has an account: a foreign key), not joined: PostgreSQL
 *   planned the join as a scan of every account on each check while the table was small or not yet analysed. */
const ACCOUNT_NAME = '(select a.name from accounts a where a.id = m.account_id)';
export const SESSION_ACCOUNTS_SQL = {
  sqlite: `(select json_group_array(json_array(m.account_id, ${ACCOUNT_NAME}, m.role, m.created_at))
    from memberships m where m.user_id = s.user_id)`,
  pg: `(select coalesce(json_agg(json_build_array(m.account_id, ${ACCOUNT_NAME}, m.role, m.created_at)), '[]'::json)
    from memberships m where m.user_id = s.user_id)`,
} as const;

export type SessionAccount = { id: string; name: string; role: Role };
type SessionMembership = [id: string, name: string, role: Role, joinedAt: number];

/** SQLite answers the array as JSON text; pg has parsed it already. Oldest membership first (a stable sort: equal
 * times keep the order the rows were read in). */
export function parseSessionAccounts(column: unknown): SessionAccount[] {
  const memberships = (typeof column === 'string' ? JSON.parse(column) : column) as SessionMembership[];
  if (memberships.length > 1) memberships.sort((a, b) => Number(a[3]) - Number(b[3]));
  return memberships.map(([id, name, role]) => ({ id, name, role }));
}

/** Read by every sign-in (the policy), on the hot path (db/hot.ts); every column named, as a prepared statement needs. */
const membershipsWithAccountsStatement = hotStatement(
  `select m.account_id, m.user_id, m.role, m.require_2fa, m.require_2fa_at, m.created_at as m_created_at, a.id, a.name,
  a.created_at, a.enforce, a.allowed_methods, a.remember_device_days, a.enforce_outside_ip_ranges, a.api_allowed_ranges,
  a.policy_updated_at, a.enforce_tightened_at, a.grace_period_days, a.admins_required_since, a.all_required_since
  from memberships m join accounts a on a.id = m.account_id where m.user_id = ? order by m.created_at`,
);

/** Memberships of a user with their account rows, oldest first: the input of the 2FA policy. */
export async function listMembershipsWithAccounts(db: Db, userId: string): Promise<{ membership: MembershipRow; account: AccountRow }[]> {
  const rows = await hotRows(db, membershipsWithAccountsStatement, [userId]);
  return rows.map((r) => ({
    membership: {
      account_id: r.account_id as string,
      user_id: r.user_id as string,
      role: r.role as Role,
      require_2fa: r.require_2fa as boolean,
      require_2fa_at: r.require_2fa_at as number | null,
      created_at: r.m_created_at as number,
    },
    account: {
      id: r.id,
      name: r.name,
      created_at: r.created_at,
      enforce: r.enforce,
      allowed_methods: r.allowed_methods,
      remember_device_days: r.remember_device_days,
      enforce_outside_ip_ranges: r.enforce_outside_ip_ranges,
      api_allowed_ranges: r.api_allowed_ranges,
      policy_updated_at: r.policy_updated_at,
      enforce_tightened_at: r.enforce_tightened_at,
      grace_period_days: r.grace_period_days,
      admins_required_since: r.admins_required_since,
      all_required_since: r.all_required_since,
    } as AccountRow,
  }));
}
