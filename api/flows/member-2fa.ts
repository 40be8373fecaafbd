// What owners and admins do to members: list them with their 2FA picture, require 2FA of one, reset one's 2FA.
import type { Member, Role } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import type { Db } from '../db/db.ts';
import { iso, toBool } from '../db/db.ts';
import { ApiError } from '../errors.ts';
import { findAccount, hasRole, requireMembership, setRequire2fa as setMembershipRequire2fa } from '../records/accounts.ts';
import { enabledMethods, listEnabledMethods, removeAllFactors, type FactorRow } from '../records/factors.ts';
import { deleteBackupCodes } from '../factors/backup-codes.ts';
import { forgetAllDevices } from '../records/devices.ts';
import { endSessionsOfUser } from '../records/sessions.ts';
import { deleteCodesOfUser } from '../factors/otp-codes.ts';
import { resetCodeCounters } from '../factors/lockout.ts';
import { endChallengesOfUser } from '../records/challenges.ts';
import { recordEvent } from '../records/audit.ts';
import { sendNotice, sendNotices } from '../notify/email.ts';
import { ownerEmails } from '../notify/recovery-notices.ts';
import { issueRecoveryCode } from '../factors/recovery-codes.ts';
import { accountReason, readPolicy, type MemberFacts } from '../policy/account-policy.ts';
import { findUserById, setPreferredMethod, type SessionUser } from '../records/users.ts';
import { forgetTotpStep } from '../factors/totp.ts';
import { accountSetupDue, formatDueDate, memberSetupDue, recordGraceGranted } from './grace.ts';
import type { MemberChange } from './members.ts';
import { accountPolicy } from '../policy/requirement.ts';

/** Every member of the account with what the policy needs to know about them, and whether the account manages them. */
export async function loadMemberFacts(db: Db, accountId: string): Promise<(MemberFacts & { managed: boolean })[]> {
  const rows = await db('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.account_id', accountId)
    .orderBy('m.created_at')
    .select('u.id', 'u.email', 'u.name', 'u.managed_by_account_id', 'm.role', 'm.require_2fa', 'm.require_2fa_at', 'm.created_at');
  const ids = rows.map((r: { id: string }) => r.id);
  const factors: FactorRow[] = ids.length ? await db('factors').whereIn('user_id', ids).whereNotNull('enabled_at') : [];
  return rows.map((r: Record<string, unknown>) => ({
    userId: r.id as string,
    email: r.email as string,
    name: r.name as string,
    role: r.role as Role,
    require2fa: toBool(r.require_2fa),
    require2faAt: (r.require_2fa_at as number | null) ?? null,
    joinedAt: Number(r.created_at),
    enabledMethods: enabledMethods(factors.filter((f) => f.user_id === r.id)),
    managed: r.managed_by_account_id === accountId,
  }));
}

/** What a reset would remove: enabled or pending methods, unused backup codes, live trusted devices. */
async function resettable(db: Db, userIds: string[], now: number): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const [f, b, d] = await Promise.all([
    db('factors').whereIn('user_id', userIds).distinct('user_id'),
    db('backup_codes').whereIn('user_id', userIds).whereNull('used_at').distinct('user_id'),
    db('trusted_devices').whereIn('user_id', userIds).where('expires_at', '>', now).distinct('user_id'),
  ]);
  return new Set([...f, ...b, ...d].map((r: { user_id: string }) => r.user_id));
}

/** May `actor` (with `actorRole`) reset the 2FA of `target`? Only of a member the account manages (contract v1.1),
 * not their own (that is DELETE /me/2fa, with reauth), and an admin never an owner's. */
export function mayReset(actor: { userId: string; role: Role }, target: { userId: string; role: Role; managed: boolean }): boolean {
  if (actor.userId === target.userId || !target.managed) return false;
  return hasRole(actor.role, 'owner') || target.role !== 'owner';
}

/** Only the account a user came into being through may reset or rescue their 2FA: any other account that can
 * require it of them could otherwise invite them and then take over their sign-in. */
export function assertManaged(accountId: string, target: Pick<SessionUser, 'managed_by_account_id'>): void {
  if (target.managed_by_account_id !== accountId) {
    throw new ApiError(
      'forbidden',
      'This member joined with their own Twofold sign-in, so only the account that manages it can reset or recover their two-factor authentication. Ask them to use their backup codes, or to contact that account.',
    );
  }
}

export async function listMembers(deps: Deps, accountId: string, actor: { userId: string; role: Role }): Promise<Member[]> {
  const account = (await findAccount(deps.db, accountId))!;
  const policy = readPolicy(account);
  const members = await loadMemberFacts(deps.db, accountId);
  const now = deps.clock.now();
  const withSomething = await resettable(
    deps.db,
    members.map((m) => m.userId),
    now,
  );
  return members.map((m) => {
    const { reason } = accountReason(m, policy, accountId);
    return {
      userId: m.userId,
      email: m.email,
      name: m.name,
      role: m.role,
      require2fa: m.require2fa,
      managed: m.managed,
      twoFactor: {
        enabled: m.enabledMethods.length > 0,
        methods: m.enabledMethods,
        required: reason !== null,
        requiredReason: reason,
        canReset: withSomething.has(m.userId) && mayReset(actor, m),
        canIssueRecoveryCode: m.managed && actor.role === 'owner' && actor.userId !== m.userId,
        ...memberSetupDue(m, account, now),
      },
    };
  });
}

/** `dueAt`: the end of the member's grace period, named in the email (null: at their next sign-in). */
export const setupInstructions = (accountName: string, origin: string, dueAt: number | null = null) =>
  `${accountName} now requires two-factor authentication for your Twofold sign-in.\n\n` +
  (dueAt === null
    ? `Next time you sign in at ${origin}/ you will be asked to set up a second step: an authenticator app `
    : `Please set it up by ${formatDueDate(dueAt)} at ${origin}/setup. Until then you can sign in as before; after that you ` +
      'will be asked to set it up before anything else. The second step is an authenticator app ') +
  '(recommended), a text message or an email code, as the account allows. It takes about a minute.';

/** Turns the per-member requirement on or off; emails setup instructions when it is turned on. */
export async function setRequire2fa(deps: Deps, input: MemberChange & { on: boolean }): Promise<void> {
  const now = deps.clock.now();
  const membership = await requireMembership(deps.db, input.accountId, input.userId);
  if (toBool(membership.require_2fa) === input.on) return;
  await setMembershipRequire2fa(deps.db, input.accountId, input.userId, input.on, now);
  await recordEvent(deps.db, {
    type: 'member.require_2fa_changed',
    at: now,
    accountId: input.accountId,
    actorUserId: input.actor.id,
    subjectUserId: input.userId,
    ip: input.ip,
    detail: { require2fa: input.on },
  });
  if (input.on) {
    const account = (await findAccount(deps.db, input.accountId))!;
    const user = await findUserById(deps.db, input.userId);
    const facts = (await loadMemberFacts(deps.db, input.accountId)).find((m) => m.userId === input.userId);
    // A member already overdue under `enforce` is not given a new grace by a per-member requirement (setup-due.ts).
    const due = facts ? accountSetupDue(facts, accountPolicy(account), account.id) : null;
    const dueAt = due !== null && due > now ? due : null;
    if (dueAt !== null)
      await recordGraceGranted(deps, {
        accountId: account.id,
        userId: input.userId,
        dueAt,
        graceDays: account.grace_period_days,
        actorUserId: input.actor.id,
        ip: input.ip,
      });
    if (user)
      await sendNotice(
        deps,
        user.email,
        `${account.name} requires two-factor authentication`,
        setupInstructions(account.name, deps.config.publicUrl, dueAt),
      );
  }
}

/** Ends every method, backup code, trusted device, session and pending code of the member, and clears the lockout.
 * Methods belong to the user, not the account, so they end everywhere; every other account's requirement still
 * applies at the next login (setup_required), so no account's standing is weakened. */
export async function resetMemberTwoFactor(deps: Deps, input: MemberChange & { actorRole: Role }): Promise<void> {
  const now = deps.clock.now();
  const membership = await requireMembership(deps.db, input.accountId, input.userId);
  if (input.userId === input.actor.id)
    throw new ApiError('forbidden', 'Use your own security settings to change your two-factor authentication.');
  const target = (await findUserById(deps.db, input.userId))!;
  assertManaged(input.accountId, target);
  if (!mayReset({ userId: input.actor.id, role: input.actorRole }, { userId: input.userId, role: membership.role, managed: true })) {
    throw new ApiError('forbidden', 'Only an owner can reset the two-factor authentication of an owner.');
  }
  const methods = await listEnabledMethods(deps.db, input.userId);
  if (!(await resettable(deps.db, [input.userId], now)).has(input.userId)) throw new ApiError('nothing_to_reset');
  // Every write in one transaction: a reset that fails half-way must not leave a member with codes but no methods.
  await deps.db.transaction(async (trx) => {
    await removeAllFactors(trx, input.userId);
    const counts = { backupCodes: await deleteBackupCodes(trx, input.userId), devices: await forgetAllDevices(trx, input.userId) };
    await endSessionsOfUser(trx, input.userId, '2fa_reset', now);
    await endChallengesOfUser(trx, input.userId, now);
    await deleteCodesOfUser(trx, input.userId);
    await setPreferredMethod(trx, input.userId, null);
    await forgetTotpStep(trx, input.userId);
    await resetCodeCounters(trx, input.userId);
    await recordEvent(trx, {
      type: 'member.2fa_reset',
      at: now,
      accountId: input.accountId,
      actorUserId: input.actor.id,
      subjectUserId: input.userId,
      ip: input.ip,
      detail: { methods, ...counts },
    });
  });
  const account = await findAccount(deps.db, input.accountId);
  if (account) {
    await sendNotice(
      deps,
      target.email,
      'Your Twofold two-factor authentication was reset',
      `${input.actor.name} (${account.name}) reset your two-factor authentication: your methods, backup codes and trusted devices were removed and you were signed out everywhere.\n\n` +
        'If an account you belong to requires two-factor authentication, you will set it up again at your next sign-in. If you did not ask for this, contact your administrator.',
    );
  }
}

/** An owner issues a one-time recovery code to a member the account manages (never to themselves); the member and
 * every owner are emailed. */
export async function issueMemberRecoveryCode(deps: Deps, input: MemberChange): Promise<{ code: string; expiresAt: number }> {
  if (input.userId === input.actor.id) throw new ApiError('forbidden', 'Another owner must issue a recovery code for you.');
  const [member, account] = await Promise.all([findUserById(deps.db, input.userId), findAccount(deps.db, input.accountId)]);
  assertManaged(input.accountId, member!);
  const now = deps.clock.now();
  const issued = await issueRecoveryCode(deps, { userId: input.userId, accountId: input.accountId, issuedBy: input.actor.id });
  await recordEvent(deps.db, {
    type: 'recovery_code.issued',
    at: now,
    accountId: input.accountId,
    actorUserId: input.actor.id,
    subjectUserId: input.userId,
    ip: input.ip,
    detail: { expiresAt: iso(issued.expiresAt) },
  });
  await sendNotices(
    deps,
    [member!.email, ...(await ownerEmails(deps, input.accountId))],
    'A Twofold recovery code was issued',
    `${input.actor.name} <${input.actor.email}>, an owner of ${account!.name}, issued a one-time recovery code for ${member!.name} <${member!.email}>. It expires in one hour. If this was not expected, contact the account's owners.`,
  );
  return issued;
}
