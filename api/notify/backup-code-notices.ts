// Running low on backup codes: when a use leaves 3 or fewer, the user is emailed how many remain and how to make new
// ones, and the notice is audited; GET /me/2fa answers `backupCodes.low` so the Security page says it too.
import type { Deps } from '../deps.ts';
import type { SessionUser } from '../records/users.ts';
import { sendNotice } from './email.ts';
import { recordEvent } from '../records/audit.ts';

export const LOW_BACKUP_CODES = 3;

/** 2FA is on and few enough codes remain that the user should make new ones. */
export const isLowOnBackupCodes = (remaining: number, twoFactorOn: boolean): boolean => twoFactorOn && remaining <= LOW_BACKUP_CODES;

const codesLeft = (n: number) => (n === 0 ? 'no backup codes' : `${n} backup code${n === 1 ? '' : 's'}`);

/** After a backup code was used (to sign in or to confirm it is you): the email and the audit event when few are left. */
export async function noticeBackupCodeUsed(
  deps: Deps,
  user: Pick<SessionUser, 'id' | 'email'>,
  remaining: number,
  ip: string,
): Promise<void> {
  if (remaining > LOW_BACKUP_CODES) return;
  await sendNotice(
    deps,
    user.email,
    `You have ${codesLeft(remaining)} left for Twofold`,
    `A backup code was just used for your Twofold account. You have ${codesLeft(remaining)} left.\n\n` +
      `Make a new set before you run out: ${deps.config.publicUrl}/security, then Backup codes, then Create new codes. ` +
      'The new set replaces every old code.\n\nIf you did not use a backup code, change your password and make new codes now.',
  );
  await recordEvent(deps.db, {
    type: 'backup_codes.low',
    at: deps.clock.now(),
    actorUserId: user.id,
    subjectUserId: user.id,
    ip,
    detail: { remaining },
  });
}
