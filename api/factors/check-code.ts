// Checks one code for one method. A wrong code is a value (null), never an exception; the caller counts it.
import type { Method } from '../../shared/schemas.ts';
import type { Deps } from '../deps.ts';
import { acceptTotpStep, verifyTotp } from './totp.ts';
import { consumeCode } from './otp-codes.ts';
import { consumeBackupCode } from './backup-codes.ts';
import { consumeRecoveryCode } from './recovery-codes.ts';
import { verifyAssertion } from './webauthn.ts';
import type { AuthenticationResponse } from '../../shared/webauthn.ts';

export type FactorProof =
  | { method: 'totp' | 'sms' | 'email' }
  | { method: 'webauthn'; credentialId: string; name: string }
  | { method: 'backup_code'; backupCodesRemaining: number }
  | { method: 'recovery_code'; accountId: string; issuedBy: string };

/** `codePurpose` binds SMS and email codes, and security-key ceremonies, to what asked for them (e.g. `challenge:<id>`).
 * A security key answers with `response` (its signed assertion) instead of a code. */
export async function checkFactorCode(
  deps: Deps,
  userId: string,
  method: Method,
  code: string,
  codePurpose: string,
  response?: AuthenticationResponse,
): Promise<FactorProof | null> {
  switch (method) {
    case 'webauthn': {
      const used = response ? await verifyAssertion(deps, userId, `${codePurpose}:webauthn`, response) : null;
      return used ? { method, ...used } : null;
    }
    case 'totp': {
      const step = await verifyTotp(deps, userId, code);
      return step !== null && (await acceptTotpStep(deps, userId, step)) ? { method } : null;
    }
    case 'sms':
    case 'email':
      return (await consumeCode(deps, userId, `${codePurpose}:${method}`, code)) ? { method } : null;
    case 'backup_code': {
      const remaining = await consumeBackupCode(deps, userId, code);
      return remaining === null ? null : { method, backupCodesRemaining: remaining };
    }
    case 'recovery_code': {
      const used = await consumeRecoveryCode(deps, userId, code);
      return used ? { method, ...used } : null;
    }
  }
}
