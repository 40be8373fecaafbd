// What the middleware chain learns about a request, in one typed place.
import type { Role } from '../../shared/schemas.ts';
import type { SessionEndReason, LiveSession } from '../records/sessions.ts';
import type { SessionUser } from '../records/users.ts';
import type { SessionAccount } from '../records/accounts.ts';
import type { ChallengeRow } from '../records/challenges.ts';

export interface AppState {
  requestId: string;
  /** The client address: the socket's, or the X-Forwarded-For entry our proxy appended when TRUST_PROXY is on. */
  ip: string;
  body: unknown;
  user?: SessionUser;
  session?: LiveSession;
  /** Why the request's session token stopped working, when it belonged to a session that ended. */
  sessionEnded?: SessionEndReason | 'expired';
  /** False when none of the user's accounts could require 2FA of them (read with the session, in one query). */
  mayRequire2fa?: boolean;
  /** The user's accounts and roles, oldest membership first (read with the session, in the same query). */
  accounts?: SessionAccount[];
  /** Set when a setup_required challenge id is used as the bearer of an enrolment call. */
  setupChallenge?: ChallengeRow;
  /** The caller's membership in the account of the path. */
  role?: Role;
  accountId?: string;
  apiKeyId?: string;
}
