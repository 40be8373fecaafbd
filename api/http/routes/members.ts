// Members and invitations of an account: who is in it, in which role, their 2FA picture; inviting, changing roles,
// removing, resetting a member's 2FA and issuing a recovery code. The caller's role comes from their membership in
// the account of the path (middleware/guards.ts).
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { accountRoute, type AppContext } from '../route.ts';
import { AccountParams, Id } from '../params.ts';
import { accountActorOf, accountIdOf } from '../account-request.ts';
import { ApiError } from '../../errors.ts';
import { hasRole, requireMembership } from '../../records/accounts.ts';
import { changeRole, removeMember } from '../../flows/members.ts';
import { inviteMember, listInvitations, resendInvitation, revokeInvitation } from '../../flows/invitations.ts';
import { issueMemberRecoveryCode, listMembers, resetMemberTwoFactor, setRequire2fa } from '../../flows/member-2fa.ts';
import { iso } from '../../db/db.ts';

const MemberParams = AccountParams.extend({ userId: Id.describe("The member's `userId` in `GET …/members`") });
const InvitationParams = AccountParams.extend({ invitationId: Id.describe("The invitation's `id` in `GET …/invitations`") });

export function memberRoutes(deps: Deps) {
  const { db } = deps;
  /** The member of the path (`404 not_found` when not one) and who acts on them, as the member-managing flows take it. */
  async function onMember(ctx: AppContext, userId: string) {
    const target = await requireMembership(db, accountIdOf(ctx), userId);
    return { target, change: { ...accountActorOf(ctx), userId: target.user_id } };
  }

  return [
    accountRoute({
      method: 'get',
      path: '/members',
      role: 'admin',
      response: z.array(s.Member),
      summary: 'Members with their 2FA picture',
      description:
        "`twoFactor.required`/`requiredReason` are this account's own view (`required_for_member`, `enforced_for_all`, `enforced_for_admins` or null), for logins from outside any exempt range; other accounts' requirements are not shown. `managed`: the account manages this user (they came into being through it: its signup, or its invitation accepted as a new person); only then may it reset or rescue their 2FA. `canReset`: the caller may reset this member's 2FA now (managed; something to reset; not themselves; admins not owners). `canIssueRecoveryCode`: the caller is an owner and the member is managed and not the caller. Members (role `member`) may not list: `403 forbidden`.",
      handler: async (ctx) => {
        ctx.body = await listMembers(deps, accountIdOf(ctx), { userId: ctx.state.user!.id, role: ctx.state.role! });
      },
    }),
    accountRoute({
      method: 'post',
      path: '/members',
      role: 'admin',
      status: 201,
      body: s.AddMemberRequest,
      response: z.object({ invitation: s.Invitation }),
      summary: 'Invite someone by email (nobody joins without accepting)',
      description:
        'Always an emailed invitation (link `PUBLIC_URL/accept-invite#token=…`, 7 days, single use), for existing users too. Owners and admins invite members and admins; only owners invite owners (`403 forbidden`). The inviter must have verified their own address (`403 forbidden`). `409 conflict` if already a member. A pending invitation for the same address is replaced (its link stops working).',
      handler: async (ctx, { body }) => {
        ctx.body = {
          invitation: await inviteMember(deps, {
            accountId: accountIdOf(ctx),
            email: body.email,
            role: body.role,
            inviter: ctx.state.user!,
            inviterRole: ctx.state.role!,
            ip: ctx.state.ip,
          }),
        };
      },
    }),
    accountRoute({
      method: 'get',
      path: '/invitations',
      role: 'admin',
      response: z.array(s.PendingInvitation),
      summary: 'Pending invitations (not accepted, revoked or expired), newest first',
      handler: async (ctx) => {
        ctx.body = await listInvitations(deps, accountIdOf(ctx));
      },
    }),
    accountRoute({
      method: 'delete',
      path: '/invitations/:invitationId',
      params: InvitationParams,
      role: 'admin',
      status: 204,
      summary: 'Revoke a pending invitation',
      description: 'Its link stops working. Only owners revoke invitations of owners. `404 not_found` when not pending.',
      handler: async (ctx, { params }) => {
        await revokeInvitation(deps, {
          ...accountActorOf(ctx),
          invitationId: params.invitationId,
        });
      },
    }),
    accountRoute({
      method: 'post',
      path: '/invitations/:invitationId/resend',
      params: InvitationParams,
      role: 'admin',
      response: z.object({ invitation: s.Invitation }),
      summary: 'Email a pending invitation again',
      description: 'A new link and a fresh 7 days; the old link stops working. Only owners resend invitations of owners.',
      handler: async (ctx, { params }) => {
        ctx.body = {
          invitation: await resendInvitation(deps, {
            ...accountActorOf(ctx),
            invitationId: params.invitationId,
          }),
        };
      },
    }),
    accountRoute({
      method: 'put',
      path: '/members/:userId',
      params: MemberParams,
      role: 'admin',
      body: s.UpdateMemberRequest,
      response: s.Member,
      summary: "Change a member's role or require 2FA of them",
      description:
        '`role`: owners only; the last owner cannot be demoted (`409 conflict`). `require2fa`: owners and admins; turning it on emails the member setup instructions and applies at their next request (`403 2fa_setup_required` until they enrol).',
      handler: async (ctx, { body, params }) => {
        if (body.role === undefined && body.require2fa === undefined) throw new ApiError('invalid_request', 'Give role and/or require2fa.');
        const { target, change } = await onMember(ctx, params.userId);
        if (body.role !== undefined && !hasRole(ctx.state.role!, 'owner')) throw new ApiError('forbidden', 'Only owners can change roles.');
        if (body.role !== undefined && body.role !== target.role) await changeRole(deps, { ...change, role: body.role });
        if (body.require2fa !== undefined) await setRequire2fa(deps, { ...change, on: body.require2fa });
        const members = await listMembers(deps, accountIdOf(ctx), { userId: ctx.state.user!.id, role: ctx.state.role! });
        ctx.body = members.find((m) => m.userId === change.userId);
      },
    }),
    accountRoute({
      method: 'delete',
      path: '/members/:userId',
      params: MemberParams,
      role: 'owner',
      status: 204,
      summary: 'Remove a member',
      description: 'The last owner cannot be removed (`409 conflict`).',
      handler: async (ctx, { params }) => {
        await removeMember(deps, (await onMember(ctx, params.userId)).change);
      },
    }),
    accountRoute({
      method: 'post',
      path: '/members/:userId/2fa/reset',
      params: MemberParams,
      role: 'admin',
      status: 204,
      summary: "Reset a member's 2FA",
      description:
        "Only for a member this account manages (`403 forbidden` otherwise: an account that merely invited an existing user may not weaken their 2FA). Ends every method, backup code, trusted device, session and pending code of the member and clears their lockout; the member is emailed. `409 nothing_to_reset` when they have no method, backup code or trusted device. Admins may not reset owners, and nobody resets themselves here (`403 forbidden`; use `DELETE /me/2fa`). Methods belong to the user, so they end in every account; every account's requirement still applies at the next login (`setup_required`), so no other account's standing is weakened. Owner-issued recovery codes are kept.",
      handler: async (ctx, { params }) => {
        await resetMemberTwoFactor(deps, (await onMember(ctx, params.userId)).change);
      },
    }),
    accountRoute({
      method: 'post',
      path: '/members/:userId/recovery-code',
      params: MemberParams,
      role: 'owner',
      reauth: true,
      status: 201,
      response: s.RecoveryCode,
      summary: 'Issue a one-time recovery code for a member',
      description:
        'Only for a member this account manages (`403 forbidden` otherwise). The code stops working when the member leaves the account or the issuer stops being one of its owners. Single use, valid 1 hour, bound to the member; with their password it passes the challenge or the setup requirement once. One live code per member: a new one replaces the previous. Not for yourself (`403 forbidden`). The member and every owner are emailed.',
      handler: async (ctx, { params }) => {
        const issued = await issueMemberRecoveryCode(deps, (await onMember(ctx, params.userId)).change);
        ctx.body = { code: issued.code, expiresAt: iso(issued.expiresAt) };
      },
    }),
  ];
}
