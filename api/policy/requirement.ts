// Loads what policy.ts needs for one user and evaluates it.
import type { EnrollableMethod, Role } from '../../shared/schemas.ts';
import { listMembershipsWithAccounts, type AccountRow } from '../records/accounts.ts';
import type { Db } from '../db/db.ts';
import { toBool } from '../db/db.ts';
import { listEnabledMethods } from '../records/factors.ts';
import { evaluatePolicy, type AccountPolicy, type Requirement } from './policy.ts';

export function accountPolicy(account: AccountRow): AccountPolicy {
  return {
    enforce: account.enforce,
    allowedMethods: JSON.parse(account.allowed_methods) as EnrollableMethod[],
    rememberDeviceDays: account.remember_device_days,
    enforceOutsideIpRanges: JSON.parse(account.enforce_outside_ip_ranges) as string[],
    enforceTightenedAt: account.enforce_tightened_at,
    gracePeriodDays: account.grace_period_days,
    adminsRequiredSince: account.admins_required_since,
    allRequiredSince: account.all_required_since,
  };
}

export interface LoadedRequirement extends Requirement {
  enabledMethods: EnrollableMethod[];
  /** The user's accounts and roles, oldest membership first (read anyway; GET /session shows them). */
  accounts: { id: string; name: string; role: Role }[];
}

export async function loadRequirement(
  db: Db,
  userId: string,
  clientAddress: string,
  enabled?: EnrollableMethod[],
): Promise<LoadedRequirement> {
  const [rows, methods] = await Promise.all([listMembershipsWithAccounts(db, userId), enabled ?? listEnabledMethods(db, userId)]);
  const memberships = rows.map(({ membership: m, account: a }) => ({
    accountId: a.id,
    accountName: a.name,
    role: m.role,
    require2fa: toBool(m.require_2fa),
    require2faAt: m.require_2fa_at,
    joinedAt: m.created_at,
  }));
  const policies = new Map(rows.map(({ account }) => [account.id, accountPolicy(account)]));
  const accounts = rows.map(({ membership, account }) => ({ id: account.id, name: account.name, role: membership.role }));
  return { ...evaluatePolicy(memberships, policies, methods, clientAddress), enabledMethods: methods, accounts };
}
