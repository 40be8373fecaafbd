// What the middleware chain learns about a request, in one typed place.
import type { Role } from '../shared/schemas.ts';
import type { SessionRow } from './sessions.ts';
import type { UserRow } from './users.ts';
import type { ChallengeRow } from './challenges.ts';

export interface AppState {
  requestId: string;
  /** The client address: the socket's, or X-Forwarded-For's first hop when TRUST_PROXY is on. */
  ip: string;
  body: unknown;
  user?: UserRow;
  session?: SessionRow;
  /** Set when a setup_required challenge id is used as the bearer of an enrolment call. */
  setupChallenge?: ChallengeRow;
  /** The caller's membership in the account of the path. */
  role?: Role;
  accountId?: string;
  apiKeyId?: string;
}
