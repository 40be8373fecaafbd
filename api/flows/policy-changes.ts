// Changing an account's 2FA policy: a tightening applies at once; a change that loosens any field waits, as a
// whole, for the emailed code of the owner who asked (10 minutes, 5 tries, single use), then every owner hears of it.
import type { Policy, PolicyUpdate } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { findAccount, updatePolicyColumns, type AccountRow } from '../records/accounts.ts';
import { randomId } from '../crypto/secrets.ts';
import { consumeCode, sendCode } from '../factors/otp-codes.ts';
import { checkCodeAttempt } from '../factors/code-attempt.ts';
import {
  consumeConfirmation,
  deleteConfirmation,
  findConfirmationOf,
  insertConfirmation,
  replacePendingConfirmations,
  reserveConfirmationAttempt,
} from '../records/policy-confirmations.ts';
import { capDevicesOfMembers } from '../records/devices.ts';
import { recordEvent, type AuditInput } from '../records/audit.ts';
import { sendNotice, sendNotices } from '../notify/email.ts';
import { ownerEmails } from '../notify/recovery-notices.ts';
import { maskEmail } from '../../shared/masks.ts';
import type { SessionUser } from '../records/users.ts';
import { loadMemberFacts, setupInstructions } from './member-2fa.ts';
import { accountPolicy } from '../policy/requirement.ts';
import { enforceSinceAfter } from '../policy/setup-due.ts';
import { accountSetupDue, notifyDeadlineChanges, policyAfter, recordGraceGranted } from './grace.ts';
import { isoOrNull } from '../db/db.ts';
import {
  classifyChange,
  membersToSetUp,
  mergePolicy,
  normaliseUpdate,
  ownersWithout2fa,
  readPolicy,
  type MemberFacts,
  type PolicyChange,
  type PolicyFields,
} from '../policy/account-policy.ts';

export const CONFIRMATION_TTL_MS = 10 * 60_000;
export const CONFIRMATION_MAX_ATTEMPTS = 5;
const DAY_MS = 24 * 60 * 60_000;

export interface Actor {
  user: SessionUser;
  ip: string;
}

const fieldsOf = (p: Policy): PolicyFields => ({
  enforce: p.enforce,
  allowedMethods: p.allowedMethods,
  rememberDeviceDays: p.rememberDeviceDays,
  enforceOutsideIpRanges: p.enforceOutsideIpRanges,
  gracePeriodDays: p.gracePeriodDays,
});
const ownersBody = (owners: MemberFacts[]) => ({ owners: owners.map((o) => ({ userId: o.userId, email: o.email, name: o.name })) });

async function loadAccount(deps: Deps, accountId: string): Promise<AccountRow> {
  const account = await findAccount(deps.db, accountId);
  if (!account) throw new ApiError('not_found');
  return account;
}

/** What a change would do, without doing it: the web app's impact preview. */
export async function previewPolicyChange(deps: Deps, accountId: string, update: PolicyUpdate) {
  const account = await loadAccount(deps, accountId);
  const before = fieldsOf(readPolicy(account));
  const after = mergePolicy(before, normaliseUpdate(update));
  const change = classifyChange(before, after);
  const members = await loadMemberFacts(deps.db, accountId);
  const toSetUp = membersToSetUp(members, after, accountId);
  const alreadyAsked = new Set(membersToSetUp(members, before, accountId).map((m) => m.userId));
  const blocking = ownersWithout2fa(members, after);
  // Due dates as if the change applied now (a loosening applies when confirmed, minutes later at most).
  const policyNow = policyAfter(account, after, deps.clock.now());
  return {
    policy: { ...after, updatedAt: readPolicy(account).updatedAt },
    changed: change.changed,
    loosened: change.loosened,
    needsConfirmation: change.loosened.length > 0,
    membersToSetUp: toSetUp.map((m) => ({
      userId: m.userId,
      email: m.email,
      name: m.name,
      role: m.role,
      reason: m.reason,
      newlyAffected: !alreadyAsked.has(m.userId),
      setupDueBy: isoOrNull(accountSetupDue(m, policyNow, accountId)),
    })),
    ownersWithout2fa: ownersBody(blocking).owners,
  };
}

/** PUT …/security/2fa-policy: 200 with the applied policy, or 202 with a pending confirmation. */
export async function requestPolicyChange(
  deps: Deps,
  accountId: string,
  update: PolicyUpdate,
  actor: Actor,
): Promise<{ status: 200; policy: Policy } | { status: 202; confirmationId: string; sentTo: string }> {
  const account = await loadAccount(deps, accountId);
  const normalised = normaliseUpdate(update);
  const before = fieldsOf(readPolicy(account));
  const after = mergePolicy(before, normalised);
  const members = await loadMemberFacts(deps.db, accountId);
  assertOwnersReady(members, before, after);
  const change = classifyChange(before, after);
  if (change.changed.length === 0) return { status: 200, policy: readPolicy(account) };
  if (change.loosened.length === 0) return { status: 200, policy: await applyPolicy(deps, accountId, after, actor) };

  const now = deps.clock.now();
  const id = randomId();
  const changes: PolicyUpdate = Object.fromEntries(change.changed.map((f) => [f, after[f]]));
  // The code itself lives in one_time_codes under the purpose policy:<id>; this row holds what it confirms.
  await insertConfirmation(deps.db, {
    id,
    account_id: accountId,
    requested_by: actor.user.id,
    changes: JSON.stringify(changes),
    created_at: now,
    expires_at: now + CONFIRMATION_TTL_MS,
  });
  try {
    await sendCode(deps, {
      userId: actor.user.id,
      purpose: `policy:${id}`,
      channel: 'email',
      destination: actor.user.email,
      ip: actor.ip,
      verified: true,
      subject: `Confirm the 2FA policy change for ${account.name}`,
      template:
        `You asked to loosen the two-factor policy of ${account.name} (${change.loosened.join(', ')}).\n\n` +
        'Your confirmation code is {code}. It expires in 10 minutes. Nothing changes until you enter it. If you did not ask for this, change your password.',
    });
  } catch (err) {
    await deleteConfirmation(deps.db, id);
    throw err;
  }
  // A newer request replaces any pending one of this account.
  await replacePendingConfirmations(deps.db, accountId, id, now);
  await recordEvent(deps.db, {
    type: 'policy.change_requested',
    at: now,
    accountId,
    actorUserId: actor.user.id,
    ip: actor.ip,
    detail: { confirmationId: id, ...auditValues(change, after) },
  });
  return { status: 202, confirmationId: id, sentTo: maskEmail(actor.user.email) };
}

/** POST …/security/2fa-policy/confirm: the requesting owner's emailed code applies the waiting change once. */
export async function confirmPolicyChange(
  deps: Deps,
  accountId: string,
  input: { confirmationId: string; code: string },
  actor: Actor,
): Promise<Policy> {
  const row = await findConfirmationOf(deps.db, input.confirmationId, accountId, actor.user.id);
  if (!row) throw new ApiError('not_found', 'No such policy change is waiting for you.');
  const now = deps.clock.now();
  if (row.consumed_at !== null || row.expires_at <= now) {
    throw new ApiError('challenge_expired', 'This confirmation was used, replaced or has expired. Make the change again.');
  }
  await checkCodeAttempt(
    deps,
    {
      userId: actor.user.id,
      ip: actor.ip,
      now,
      counter: {
        spent: row.attempts >= CONFIRMATION_MAX_ATTEMPTS,
        reserve: () => reserveConfirmationAttempt(deps.db, row.id, CONFIRMATION_MAX_ATTEMPTS),
        max: CONFIRMATION_MAX_ATTEMPTS,
        retryAfterSeconds: CONFIRMATION_TTL_MS / 1000,
        spentMessage: 'Too many wrong codes for this change. Make the change again.',
      },
    },
    () => consumeCode(deps, actor.user.id, `policy:${row.id}`, input.code),
  );
  if (!(await consumeConfirmation(deps.db, row.id, now))) throw new ApiError('challenge_expired', 'This confirmation was already used.');

  const account = await loadAccount(deps, accountId);
  const before = fieldsOf(readPolicy(account));
  const after = mergePolicy(before, JSON.parse(row.changes) as PolicyUpdate);
  assertOwnersReady(await loadMemberFacts(deps.db, accountId), before, after);
  await recordEvent(deps.db, {
    type: 'policy.confirmed',
    at: now,
    accountId,
    actorUserId: actor.user.id,
    ip: actor.ip,
    detail: { confirmationId: row.id },
  });
  const policy = await applyPolicy(deps, accountId, after, actor);
  await sendNotices(
    deps,
    await ownerEmails(deps, accountId),
    `The 2FA policy of ${account.name} was loosened`,
    `${actor.user.name} <${actor.user.email}> confirmed a change that loosens the two-factor policy of ${account.name}.\n\n` +
      `Now: enforce ${policy.enforce}; methods ${policy.allowedMethods.join(', ')}; remember devices ${policy.rememberDeviceDays} days; ` +
      `exempt ranges ${policy.enforceOutsideIpRanges.join(', ') || 'none'}; grace ${policy.gracePeriodDays} days to set up 2FA.\n\nIf this was not expected, review the policy now.`,
  );
  return policy;
}

/** enforce admins/all while an owner has none of the allowed methods would lock that owner into setup: 409. */
function assertOwnersReady(members: MemberFacts[], before: PolicyFields, after: PolicyFields): void {
  if (after.enforce === before.enforce && after.allowedMethods.join() === before.allowedMethods.join()) return;
  const blocking = ownersWithout2fa(members, after);
  if (blocking.length > 0) {
    throw new ApiError(
      'owners_without_2fa',
      'Every owner must set up two-factor authentication (with a method this policy allows) first.',
      ownersBody(blocking),
    );
  }
}

function auditValues(change: PolicyChange, after: PolicyFields): NonNullable<AuditInput['detail']> {
  const detail: NonNullable<AuditInput['detail']> = { changed: change.changed, loosened: change.loosened };
  for (const f of change.changed) detail[f] = after[f];
  return detail;
}

/** Writes the policy. A grown requirement restarts `enforce_tightened_at` (older trusted devices do not skip it);
 * a shorter remember period shortens the members' trusted devices; newly affected members get setup instructions,
 * with their due date when the account gives a grace period (which starts now, when the change takes effect). */
async function applyPolicy(deps: Deps, accountId: string, after: PolicyFields, actor: Actor): Promise<Policy> {
  const now = deps.clock.now();
  const account = await loadAccount(deps, accountId);
  const before = fieldsOf(readPolicy(account));
  const change = classifyChange(before, after);
  const membersBefore = await loadMemberFacts(deps.db, accountId);
  const since = enforceSinceAfter(accountPolicy(account), after.enforce, now);
  await deps.db.transaction(async (trx) => {
    await updatePolicyColumns(trx, accountId, {
      enforce: after.enforce,
      allowed_methods: JSON.stringify(after.allowedMethods),
      remember_device_days: after.rememberDeviceDays,
      enforce_outside_ip_ranges: JSON.stringify(after.enforceOutsideIpRanges),
      policy_updated_at: now,
      ...(change.requirementGrew ? { enforce_tightened_at: now } : {}),
      grace_period_days: after.gracePeriodDays,
      admins_required_since: since.adminsRequiredSince,
      all_required_since: since.allRequiredSince,
    });
    if (after.rememberDeviceDays < before.rememberDeviceDays) {
      await capDevicesOfMembers(trx, accountId, after.rememberDeviceDays * DAY_MS);
    }
  });
  await recordEvent(deps.db, {
    type: 'policy.changed',
    at: now,
    accountId,
    actorUserId: actor.user.id,
    ip: actor.ip,
    detail: auditValues(change, after),
  });
  const asked = new Set(membersToSetUp(membersBefore, before, accountId).map((m) => m.userId));
  const newlyAffected = membersToSetUp(membersBefore, after, accountId).filter((m) => !asked.has(m.userId));
  const updated = (await findAccount(deps.db, accountId))!;
  const policyNow = accountPolicy(updated);
  await Promise.all(
    newlyAffected.map(async (m) => {
      const due = accountSetupDue(m, policyNow, accountId);
      const dueAt = due !== null && due > now ? due : null;
      if (dueAt !== null)
        await recordGraceGranted(deps, {
          accountId,
          userId: m.userId,
          dueAt,
          graceDays: after.gracePeriodDays,
          actorUserId: actor.user.id,
          ip: actor.ip,
        });
      await sendNotice(
        deps,
        m.email,
        `${account.name} requires two-factor authentication`,
        setupInstructions(account.name, deps.config.publicUrl, dueAt),
      );
    }),
  );
  if (change.changed.includes('gracePeriodDays')) {
    await notifyDeadlineChanges(deps, {
      account: updated,
      members: membersBefore.filter((m) => asked.has(m.userId)),
      before: accountPolicy(account),
      after: policyNow,
      now,
    });
  }
  return readPolicy(updated);
}
