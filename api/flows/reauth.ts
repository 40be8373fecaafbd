// Re-authentication: a fresh proof (password, or a code of an enabled method) opens 10 minutes of sensitive calls.
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { findUserById, type SessionUser } from '../records/users.ts';
import type { LiveSession } from '../records/sessions.ts';
import { checkCodeAttempt } from '../factors/code-attempt.ts';
import { checkFactorCode } from '../factors/check-code.ts';
import { listEnabledMethods } from '../records/factors.ts';
import { countBackupCodes } from '../factors/backup-codes.ts';
import { sendCodeToFactor } from '../factors/otp-codes.ts';
import type { Method } from '../../shared/schemas.ts';
import { reservePasswordAttempt } from '../factors/password-throttle.ts';
import type { AuthenticationResponse } from '../../shared/webauthn.ts';
import { noticeBackupCodeUsed } from '../notify/backup-code-notices.ts';

export async function reauthenticate(
  deps: Deps,
  user: SessionUser,
  session: LiveSession,
  proof: { password: string } | { method: string; code?: string; response?: AuthenticationResponse },
  ip: string,
): Promise<void> {
  if ('password' in proof) {
    // The same throttle as the login's: a stolen session must not become a password oracle.
    const attempt = await reservePasswordAttempt(deps, { email: user.email, ip, userId: user.id });
    // The hash is read here, not carried with the session's user (records/users.ts SessionUser).
    const ok = await deps.passwords.verify((await findUserById(deps.db, user.id))?.password_hash ?? null, proof.password);
    await (ok ? attempt.succeeded() : attempt.failed());
    if (!ok) throw new ApiError('invalid_credentials', 'That password is not right.');
    return;
  }
  const usable: string[] = [...(await listEnabledMethods(deps.db, user.id))];
  if ((await countBackupCodes(deps.db, user.id)) > 0) usable.push('backup_code');
  const ok = await checkCodeAttempt(deps, { userId: user.id, ip, now: deps.clock.now() }, async () =>
    usable.includes(proof.method)
      ? checkFactorCode(deps, user.id, proof.method as Method, proof.code ?? '', `reauth:${session.id}`, proof.response)
      : null,
  );
  if (ok.method === 'backup_code') await noticeBackupCodeUsed(deps, user, ok.backupCodesRemaining, ip);
}

export async function sendReauthCode(deps: Deps, user: SessionUser, session: LiveSession, method: 'sms' | 'email', ip: string) {
  return sendCodeToFactor(deps, {
    userId: user.id,
    purpose: `reauth:${session.id}:${method}`,
    channel: method,
    ip,
    subject: 'Your Twofold confirmation code',
    template: 'Your Twofold confirmation code is {code}. It expires in 10 minutes.',
  });
}
