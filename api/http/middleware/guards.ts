// Who is calling: a session (bearer or cookie), a setup_required challenge (enrolment calls only), or an
// account API key (from allowed addresses only). One place for each guard, mounted per route by http.ts.
import type { Context, Middleware, Next } from 'koa';
import { CLIENT_HEADER, clients, SESSION_COOKIE, type Client } from '../../../shared/contract.ts';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../errors.ts';
import { parseInput, routerParams, type Guards } from '../route.ts';
import { AccountParams } from '../params.ts';
import { lookupSession, touchSession, type SessionEndReason } from '../../records/sessions.ts';
import { MAY_REQUIRE_2FA_SQL } from '../../policy/may-require.ts';
import { findChallenge, isLive } from '../../records/challenges.ts';
import { asSessionUser, findUserById } from '../../records/users.ts';
import { listEnabledMethods } from '../../records/factors.ts';
import { findMembership, hasRole } from '../../records/accounts.ts';
import { findApiKey, isApiKey, touchApiKey } from '../../records/api-keys.ts';
import { findApiAllowedRanges } from '../../records/ip-rules.ts';
import { isInRanges } from '../../policy/ip-ranges.ts';
import { recordEvent } from '../../records/audit.ts';
import { loadRequirement } from '../../policy/requirement.ts';
import { publicRequiredBy } from '../../policy/policy.ts';
import { mustSetUpNow } from '../../policy/setup-due.ts';
import type { AppState } from '../state.ts';

export function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match) return match[1]!;
  return ctx.cookies.get(SESSION_COOKIE) ?? null;
}

export function clientOf(ctx: Context): Client | null {
  const value = ctx.get(CLIENT_HEADER);
  return (clients as readonly string[]).includes(value) ? (value as Client) : null;
}

const endedMessages: Record<SessionEndReason | 'expired', string> = {
  signed_out: 'You signed out (in the web app or the dialer). Sign in again.',
  '2fa_reset': 'An administrator reset your two-factor authentication, which signed you out everywhere. Sign in again.',
  '2fa_enabled': 'Two-factor authentication was turned on in another session, which signed out every other session. Sign in again.',
  ended: 'This session was ended. Sign in again.',
  expired: 'Your session expired. Sign in again.',
};

/** 401, saying why when the token belonged to a session that ended. */
export function unauthenticatedFor(ctx: Context, message?: string): ApiError {
  const reason = (ctx.state as AppState).sessionEnded;
  return reason ? new ApiError('unauthenticated', endedMessages[reason], { reason }) : new ApiError('unauthenticated', message);
}
const unauthenticated = (ctx: Context) => unauthenticatedFor(ctx);

/** The account of the path, checked by the schema every account route's params extend (a malformed one is 400). */
const accountIdOf = (ctx: Context): string => parseInput(AccountParams, routerParams(ctx), 'path').accountId;

export function createGuards(deps: Deps): Guards {
  const { db, clock } = deps;

  /** Signs the request in from its session; false when there is no live session. */
  async function useSession(ctx: Context): Promise<boolean> {
    const token = bearerToken(ctx);
    if (!token || isApiKey(token)) return false;
    const now = clock.now();
    const found = await lookupSession(db, token, now, MAY_REQUIRE_2FA_SQL);
    if (found.status === 'ended') (ctx.state as AppState).sessionEnded = found.reason;
    if (found.status !== 'live') return false;
    await touchSession(db, found.session, clientOf(ctx), now);
    const state = ctx.state as AppState;
    state.session = found.session;
    state.user = found.user;
    state.mayRequire2fa = found.mayRequire2fa;
    state.accounts = found.accounts;
    return true;
  }

  /** A signed-in user whose accounts now require 2FA they do not have may only enrol (403 2fa_setup_required), once
   * any grace period is over: checked at every request, so no session outlives a due date. */
  async function assertNoSetupPending(ctx: Context): Promise<void> {
    const state = ctx.state as AppState;
    if (!state.user || state.mayRequire2fa === false) return;
    const requirement = await loadRequirement(db, state.user.id, state.ip);
    if (mustSetUpNow(requirement, clock.now())) {
      throw new ApiError('2fa_setup_required', undefined, {
        allowedMethods: requirement.allowedMethods,
        requiredBy: publicRequiredBy(requirement),
      });
    }
  }

  const session: Middleware = async (ctx: Context, next: Next) => {
    if (!(await useSession(ctx))) throw unauthenticated(ctx);
    await assertNoSetupPending(ctx);
    return next();
  };

  const optionalSession: Middleware = async (ctx: Context, next: Next) => {
    if (await useSession(ctx)) await assertNoSetupPending(ctx);
    return next();
  };

  const signedIn: Middleware = async (ctx: Context, next: Next) => {
    if (!(await useSession(ctx))) throw unauthenticated(ctx);
    return next();
  };

  /** Enrolment calls: a session (even one that must set up 2FA first), or the challengeId of setup_required. */
  const enrolment: Middleware = async (ctx: Context, next: Next) => {
    if (await useSession(ctx)) return next();
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const challenge = token ? await findChallenge(db, token) : undefined;
    if (challenge?.kind !== 'setup' || !isLive(challenge, clock.now())) throw new ApiError('unauthenticated');
    const user = await findUserById(db, challenge.user_id);
    if (!user) throw new ApiError('unauthenticated');
    // A setup challenge is for a user with no method: once one is on, it is stale whatever path enabled it.
    if ((await listEnabledMethods(db, user.id)).length > 0) throw new ApiError('unauthenticated');
    const state = ctx.state as AppState;
    state.setupChallenge = challenge;
    state.user = asSessionUser(user);
    return next();
  };

  async function useAccountMembership(ctx: Context): Promise<void> {
    const state = ctx.state as AppState;
    const accountId = accountIdOf(ctx);
    const membership = await findMembership(db, accountId, state.user!.id);
    if (!membership) throw new ApiError('not_found', 'No such account, or you are not a member of it.');
    state.accountId = accountId;
    state.role = membership.role;
  }

  const account: Middleware = async (ctx: Context, next: Next) => {
    if (!(await useSession(ctx))) throw unauthenticated(ctx);
    await assertNoSetupPending(ctx);
    await useAccountMembership(ctx);
    return next();
  };

  /** An account route that an API key may call too; the key works only for its own account and from allowed ranges. */
  const apiKey: Middleware = async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    if (!token || !isApiKey(token)) return account(ctx, next);
    const state = ctx.state as AppState;
    const key = await findApiKey(db, token);
    if (!key) throw new ApiError('unauthenticated');
    const accountId = accountIdOf(ctx);
    if (key.account_id !== accountId) throw new ApiError('unauthenticated');
    const ranges = await findApiAllowedRanges(db, accountId);
    const now = clock.now();
    if (!isInRanges(state.ip, ranges)) {
      await recordEvent(db, {
        type: 'api_key.refused_address',
        at: now,
        accountId,
        ip: state.ip,
        detail: { apiKeyId: key.id, name: key.name },
      });
      throw new ApiError('ip_not_allowed');
    }
    await touchApiKey(db, key.id, now);
    state.accountId = accountId;
    state.apiKeyId = key.id;
    state.role = 'member';
    return next();
  };

  return {
    access: { public: (_ctx, next) => next(), session, signedIn, optionalSession, enrolment, account },
    apiKey,
    role: (needed) => async (ctx: Context, next: Next) => {
      const role = (ctx.state as AppState).role;
      if (!role || !hasRole(role, needed))
        throw new ApiError('forbidden', `Only ${needed === 'owner' ? 'owners' : 'owners and admins'} can do that.`);
      return next();
    },
    reauth: async (ctx: Context, next: Next) => {
      const s = (ctx.state as AppState).session;
      if (!s || s.reauth_until <= clock.now()) throw new ApiError('reauth_required');
      return next();
    },
    /** Adding or replacing a method while 2FA is on: a fresh proof, like removing one. A setup_required challenge
     * (the user has no method yet) and a first enrolment need none. */
    reauthIf2faOn: async (ctx: Context, next: Next) => {
      const { session, user } = ctx.state as AppState;
      if (!session || !user) return next();
      if (session.reauth_until <= clock.now() && (await listEnabledMethods(db, user.id)).length > 0) throw new ApiError('reauth_required');
      return next();
    },
  };
}
