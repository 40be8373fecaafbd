// The user's own 2FA picture (GET /me/2fa), and turning methods off within what their accounts require.
import { publicRequiredBy } from '../policy/policy.ts';
import type { EnrollableMethod, TwoFactorStatus } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { setPreferredMethod, setPreviousPhone, type SessionUser } from '../records/users.ts';
import { listFactors, enabledMethods, removeFactor, removeAllFactors } from '../records/factors.ts';
import { countBackupCodes, deleteBackupCodes } from '../factors/backup-codes.ts';
import { loadRequirement } from '../policy/requirement.ts';
import { maskedPhone } from '../notify/sms.ts';
import { forgetAllDevices } from '../records/devices.ts';
import { recordEvent } from '../records/audit.ts';
import { listCredentials, publicKey } from '../records/webauthn-credentials.ts';
import { isLowOnBackupCodes } from '../notify/backup-code-notices.ts';

export async function twoFactorStatus(deps: Deps, user: SessionUser, ip: string): Promise<TwoFactorStatus> {
  const factors = await listFactors(deps.db, user.id);
  const enabled = enabledMethods(factors);
  const [requirement, remaining, keys] = await Promise.all([
    loadRequirement(deps.db, user.id, ip, enabled),
    countBackupCodes(deps.db, user.id),
    listCredentials(deps.db, user.id),
  ]);
  const factor = (m: EnrollableMethod) => factors.find((f) => f.method === m && f.enabled_at !== null);
  const sms = factor('sms');
  const email = factor('email');
  return {
    enabled: enabled.length > 0,
    preferredMethod: enabled.find((m) => m === user.preferred_method) ?? enabled[0] ?? null,
    methods: {
      totp: { enabled: !!factor('totp') },
      sms: {
        enabled: !!sms,
        phone: sms?.destination ? maskedPhone(sms.destination) : null,
        previousPhone: user.previous_phone ? maskedPhone(user.previous_phone) : null,
      },
      email: { enabled: !!email, address: email?.destination ?? null },
      webauthn: { enabled: !!factor('webauthn'), credentials: keys.map(publicKey) },
    },
    backupCodes: { remaining, low: isLowOnBackupCodes(remaining, enabled.length > 0) },
    required: requirement.required,
    requiredBy: publicRequiredBy(requirement),
    allowedMethods: requirement.allowedMethods,
    canDisable: enabled.length > 0 && !requirement.required,
  };
}

/** Removes one method; removing the last one while an account requires 2FA is 409 2fa_required_by_account. */
export async function removeMethod(deps: Deps, user: SessionUser, method: EnrollableMethod, ip: string): Promise<void> {
  const factors = await listFactors(deps.db, user.id);
  const enabled = enabledMethods(factors);
  if (!enabled.includes(method)) throw new ApiError('not_found', 'That method is not set up.');
  const rest = enabled.filter((m) => m !== method);
  const requirement = await loadRequirement(deps.db, user.id, ip, enabled);
  if (requirement.required) {
    const after = evaluateWith(requirement, rest);
    if (!after)
      throw new ApiError(
        '2fa_required_by_account',
        'An account you belong to requires two-factor authentication with one of its allowed methods.',
        { requiredBy: publicRequiredBy(requirement) },
      );
  }
  if (rest.length === 0) return disableTwoFactor(deps, user, ip);
  if (method === 'sms') {
    const sms = factors.find((f) => f.method === 'sms');
    if (sms?.destination) await setPreviousPhone(deps.db, user.id, sms.destination);
  }
  await removeFactor(deps.db, user.id, method);
  if (user.preferred_method === method) await setPreferredMethod(deps.db, user.id, rest[0] ?? null);
  await recordEvent(deps.db, {
    type: '2fa.method_removed',
    at: deps.clock.now(),
    actorUserId: user.id,
    subjectUserId: user.id,
    ip,
    detail: { method },
  });
}

/** Would the remaining methods still satisfy every requiring account? */
function evaluateWith(requirement: Awaited<ReturnType<typeof loadRequirement>>, rest: EnrollableMethod[]): boolean {
  return requirement.requiredBy.every((r) => r.allowedMethods.some((m) => rest.includes(m)));
}

/** Turns everything off: methods, backup codes and trusted devices. Refused while any account requires 2FA. */
export async function disableTwoFactor(deps: Deps, user: SessionUser, ip: string): Promise<void> {
  const requirement = await loadRequirement(deps.db, user.id, ip);
  if (requirement.required) {
    throw new ApiError('2fa_required_by_account', undefined, { requiredBy: publicRequiredBy(requirement) });
  }
  const sms = (await listFactors(deps.db, user.id)).find((f) => f.method === 'sms' && f.destination);
  await deps.db.transaction(async (trx) => {
    await removeAllFactors(trx, user.id);
    await deleteBackupCodes(trx, user.id);
    await forgetAllDevices(trx, user.id);
    await setPreferredMethod(trx, user.id, null);
    if (sms?.destination) await setPreviousPhone(trx, user.id, sms.destination);
  });
  await recordEvent(deps.db, { type: '2fa.disabled', at: deps.clock.now(), actorUserId: user.id, subjectUserId: user.id, ip });
}
