// Account administration (members, 2FA policy, IP rules, API keys, audit log) and the dialer's calls.
// Roles come from the caller's membership row in the account of the path (guards.ts); API keys reach only the calls.
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { route, type AppContext } from '../route.ts';
import { AccountParams, accountPath, Id } from '../params.ts';
import { ApiError } from '../../errors.ts';
import { findAccount, findMembership, hasRole } from '../../records/accounts.ts';
import { changeRole, removeMember } from '../../flows/members.ts';
import { inviteMember, listInvitations, resendInvitation, revokeInvitation } from '../../flows/invitations.ts';
import { assertManaged, listMembers, resetMemberTwoFactor, setRequire2fa } from '../../flows/member-2fa.ts';
import { issueRecoveryCode } from '../../factors/recovery-codes.ts';
import { ownerEmails } from '../../notify/recovery-notices.ts';
import { createApiKey, deleteApiKey, listApiKeys } from '../../records/api-keys.ts';
import { listAccountEvents, recordEvent, type AuditInput } from '../../records/audit.ts';
import { normaliseRanges, readPolicy } from '../../policy/account-policy.ts';
import { confirmPolicyChange, previewPolicyChange, requestPolicyChange } from '../../flows/policy-changes.ts';
import { findApiAllowedRanges, setApiAllowedRanges } from '../../records/ip-rules.ts';
import { listCalls, placeCall } from '../../records/calls.ts';
import { parseE164 } from '../../notify/sms.ts';
import { sendNotices } from '../../notify/email.ts';
import { iso } from '../../db/db.ts';
import { findUserById } from '../../records/users.ts';

const base = accountPath;
const MemberParams = AccountParams.extend({ userId: Id.describe('The member\'s `userId` in `GET …/members`') });
const InvitationParams = AccountParams.extend({ invitationId: Id.describe('The invitation\'s `id` in `GET …/invitations`') });
const ApiKeyParams = AccountParams.extend({ id: Id.describe('The key\'s `id` in `GET …/api-keys`') });

/** `?cursor=&type=&userId=`: each at most once (a repeated key is an array, which a string refuses). */
const AuditQuery = z.object({
  cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, 'Use the nextCursor of the previous page.').transform(Number).optional()
    .describe('The `nextCursor` of the previous page'),
  type: z.string().max(60).optional().describe('An event type, or a prefix such as `policy.`'),
  userId: z.string().max(36).optional().describe('Only events with this user as actor or subject'),
});
const PolicyPreview = z.object({
  policy: s.Policy, changed: z.array(z.string()), loosened: z.array(z.string()), needsConfirmation: z.boolean(),
  membersToSetUp: z.array(z.object({ userId: z.string(), email: z.string(), name: z.string(), role: s.Role, reason: z.string(), newlyAffected: z.boolean(),
    setupDueBy: z.string().nullable().describe('Their due date under this policy, as if it applied now (null: at their next sign-in)') })),
  ownersWithout2fa: z.array(s.User.omit({ id: true }).extend({ userId: z.string() })),
});

export function accountRoutes(deps: Deps) {
  const { db, clock } = deps;
  const accountId = (ctx: AppContext) => ctx.state.accountId!;
  const actor = (ctx: AppContext) => ({ user: ctx.state.user!, ip: ctx.state.ip });
  const audit = (ctx: AppContext, type: AuditInput['type'], subjectUserId: string | null, detail?: AuditInput['detail']) =>
    recordEvent(db, { type, at: clock.now(), accountId: accountId(ctx), actorUserId: ctx.state.user?.id ?? null, subjectUserId, ip: ctx.state.ip, detail });
  async function targetMembership(ctx: AppContext, userId: string) {
    const m = await findMembership(db, accountId(ctx), userId);
    if (!m) throw new ApiError('not_found', 'No such member.');
    return m;
  }

  return [
    // ---- members ----
    route({
      method: 'get', path: `${base}/members`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', response: z.array(s.Member),
      summary: 'Members with their 2FA picture',
      description: '`twoFactor.required`/`requiredReason` are this account\'s own view (`required_for_member`, `enforced_for_all`, `enforced_for_admins` or null), for logins from outside any exempt range; other accounts\' requirements are not shown. `managed`: the account manages this user (they came into being through it: its signup, or its invitation accepted as a new person); only then may it reset or rescue their 2FA. `canReset`: the caller may reset this member\'s 2FA now (managed; something to reset; not themselves; admins not owners). `canIssueRecoveryCode`: the caller is an owner and the member is managed and not the caller. Members (role `member`) may not list: `403 forbidden`.',
      handler: async (ctx) => { ctx.body = await listMembers(deps, accountId(ctx), { userId: ctx.state.user!.id, role: ctx.state.role! }); },
    }),
    route({
      method: 'post', path: `${base}/members`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', status: 201, body: s.AddMemberRequest,
      response: z.object({ invitation: s.Invitation }),
      summary: 'Invite someone by email (nobody joins without accepting)',
      description: 'Always an emailed invitation (link `PUBLIC_URL/accept-invite#token=…`, 7 days, single use), for existing users too. Owners and admins invite members and admins; only owners invite owners (`403 forbidden`). The inviter must have verified their own address (`403 forbidden`). `409 conflict` if already a member. A pending invitation for the same address is replaced (its link stops working).',
      handler: async (ctx, { body }) => {
        ctx.status = 201;
        ctx.body = { invitation: await inviteMember(deps, { accountId: accountId(ctx), email: body.email, role: body.role, inviter: ctx.state.user!, inviterRole: ctx.state.role!, ip: ctx.state.ip }) };
      },
    }),
    route({
      method: 'get', path: `${base}/invitations`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', response: z.array(s.PendingInvitation),
      summary: 'Pending invitations (not accepted, revoked or expired), newest first',
      handler: async (ctx) => { ctx.body = await listInvitations(deps, accountId(ctx)); },
    }),
    route({
      method: 'delete', path: `${base}/invitations/:invitationId`, tag: 'accounts', access: 'account', params: InvitationParams, role: 'admin', status: 204,
      summary: 'Revoke a pending invitation', description: 'Its link stops working. Only owners revoke invitations of owners. `404 not_found` when not pending.',
      handler: async (ctx, { params }) => {
        await revokeInvitation(deps, { accountId: accountId(ctx), invitationId: params.invitationId, actor: ctx.state.user!, actorRole: ctx.state.role!, ip: ctx.state.ip });
        ctx.status = 204;
      },
    }),
    route({
      method: 'post', path: `${base}/invitations/:invitationId/resend`, tag: 'accounts', access: 'account', params: InvitationParams, role: 'admin', response: z.object({ invitation: s.Invitation }),
      summary: 'Email a pending invitation again', description: 'A new link and a fresh 7 days; the old link stops working. Only owners resend invitations of owners.',
      handler: async (ctx, { params }) => {
        ctx.body = { invitation: await resendInvitation(deps, { accountId: accountId(ctx), invitationId: params.invitationId, actor: ctx.state.user!, actorRole: ctx.state.role!, ip: ctx.state.ip }) };
      },
    }),
    route({
      method: 'put', path: `${base}/members/:userId`, tag: 'accounts', access: 'account', params: MemberParams, role: 'admin', body: s.UpdateMemberRequest, response: s.Member,
      summary: 'Change a member\'s role or require 2FA of them',
      description: '`role`: owners only; the last owner cannot be demoted (`409 conflict`). `require2fa`: owners and admins; turning it on emails the member setup instructions and applies at their next request (`403 2fa_setup_required` until they enrol).',
      handler: async (ctx, { body, params }) => {
        if (body.role === undefined && body.require2fa === undefined) throw new ApiError('invalid_request', 'Give role and/or require2fa.');
        const target = await targetMembership(ctx, params.userId);
        const userId = target.user_id;
        if (body.role !== undefined && !hasRole(ctx.state.role!, 'owner')) throw new ApiError('forbidden', 'Only owners can change roles.');
        if (body.role !== undefined && body.role !== target.role) {
          await changeRole(deps, accountId(ctx), userId, body.role);
          await audit(ctx, 'member.role_changed', userId, { from: target.role, to: body.role });
        }
        if (body.require2fa !== undefined) {
          await setRequire2fa(deps, { accountId: accountId(ctx), userId, on: body.require2fa, actor: ctx.state.user!, ip: ctx.state.ip });
        }
        const members = await listMembers(deps, accountId(ctx), { userId: ctx.state.user!.id, role: ctx.state.role! });
        ctx.body = members.find((m) => m.userId === userId);
      },
    }),
    route({
      method: 'delete', path: `${base}/members/:userId`, tag: 'accounts', access: 'account', params: MemberParams, role: 'owner', status: 204,
      summary: 'Remove a member', description: 'The last owner cannot be removed (`409 conflict`).',
      handler: async (ctx, { params }) => {
        const target = await targetMembership(ctx, params.userId);
        await removeMember(deps, accountId(ctx), target.user_id);
        await audit(ctx, 'member.removed', target.user_id, { role: target.role });
        ctx.status = 204;
      },
    }),
    route({
      method: 'post', path: `${base}/members/:userId/2fa/reset`, tag: 'accounts', access: 'account', params: MemberParams, role: 'admin', status: 204,
      summary: 'Reset a member\'s 2FA',
      description: 'Only for a member this account manages (`403 forbidden` otherwise: an account that merely invited an existing user may not weaken their 2FA). Ends every method, backup code, trusted device, session and pending code of the member and clears their lockout; the member is emailed. `409 nothing_to_reset` when they have no method, backup code or trusted device. Admins may not reset owners, and nobody resets themselves here (`403 forbidden`; use `DELETE /me/2fa`). Methods belong to the user, so they end in every account; every account\'s requirement still applies at the next login (`setup_required`), so no other account\'s standing is weakened. Owner-issued recovery codes are kept.',
      handler: async (ctx, { params }) => {
        const target = await targetMembership(ctx, params.userId);
        await resetMemberTwoFactor(deps, { accountId: accountId(ctx), userId: target.user_id, actor: ctx.state.user!, actorRole: ctx.state.role!, ip: ctx.state.ip });
        ctx.status = 204;
      },
    }),
    route({
      method: 'post', path: `${base}/members/:userId/recovery-code`, tag: 'accounts', access: 'account', params: MemberParams, role: 'owner', reauth: true, status: 201, response: s.RecoveryCode,
      summary: 'Issue a one-time recovery code for a member',
      description: 'Only for a member this account manages (`403 forbidden` otherwise). The code stops working when the member leaves the account or the issuer stops being one of its owners. Single use, valid 1 hour, bound to the member; with their password it passes the challenge or the setup requirement once. One live code per member: a new one replaces the previous. Not for yourself (`403 forbidden`). The member and every owner are emailed.',
      handler: async (ctx, { params }) => {
        const target = await targetMembership(ctx, params.userId);
        if (target.user_id === ctx.state.user!.id) throw new ApiError('forbidden', 'Another owner must issue a recovery code for you.');
        assertManaged(accountId(ctx), (await findUserById(db, target.user_id))!);
        const issued = await issueRecoveryCode(deps, { userId: target.user_id, accountId: accountId(ctx), issuedBy: ctx.state.user!.id });
        await audit(ctx, 'recovery_code.issued', target.user_id, { expiresAt: iso(issued.expiresAt) });
        const [member, account] = await Promise.all([findUserById(db, target.user_id), findAccount(db, accountId(ctx))]);
        await sendNotices(deps, [member!.email, ...(await ownerEmails(deps, accountId(ctx)))], 'A Twofold recovery code was issued',
          `${ctx.state.user!.name} <${ctx.state.user!.email}>, an owner of ${account!.name}, issued a one-time recovery code for ${member!.name} <${member!.email}>. It expires in one hour. If this was not expected, contact the account's owners.`);
        ctx.status = 201;
        ctx.body = { code: issued.code, expiresAt: iso(issued.expiresAt) };
      },
    }),

    // ---- the 2FA policy ----
    route({
      method: 'get', path: `${base}/security/2fa-policy`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', response: s.Policy, summary: 'The account\'s 2FA policy',
      handler: async (ctx) => { ctx.body = readPolicy((await findAccount(db, accountId(ctx)))!); },
    }),
    route({
      method: 'put', path: `${base}/security/2fa-policy`, tag: 'accounts', access: 'account', params: AccountParams, role: 'owner', reauth: true, body: s.PolicyUpdate,
      response: z.union([s.Policy, z.object({ confirmationId: z.string(), sentTo: z.string() })]),
      summary: 'Change the 2FA policy (tighten at once; loosen after an emailed code)',
      description: [
        'Omitted fields keep their values; ranges are validated (`400 invalid_request` with `field`) and normalised.',
        'A tightening applies at once: `200` with the policy. A change that loosens any field (lower `enforce`, more `allowedMethods` other than `webauthn`, longer `rememberDeviceDays`, longer `gracePeriodDays`, an exempt range added or widened — every new range must lie inside an old one — or exempt ranges where there were none) waits as a whole: `202 {confirmationId, sentTo}` and a 6-digit code is emailed to the requesting owner; nothing changes until `POST …/security/2fa-policy/confirm`. A newer request replaces a pending one.',
        'Allowing `webauthn` (security keys and passkeys) is not a loosening: phishing cannot relay it, so nobody ends up with a weaker method; `allowedMethods: ["webauthn"]` is "security keys only" and applies at once.',
        '`enforce` admins/all (or fewer methods) while an owner has none of the allowed methods: `409 owners_without_2fa` with `owners:[{userId,email,name}]`.',
        'When the requirement grows (enforce rises, exempt ranges shrink) devices trusted earlier no longer skip it, and members newly asked to set up 2FA are emailed instructions (naming their due date: `gracePeriodDays` from when the change takes effect; members whose due date a new `gracePeriodDays` moves are emailed it). A shorter `rememberDeviceDays` shortens the members\' trusted devices at once.',
      ].join(' '),
      handler: async (ctx, { body }) => {
        const result = await requestPolicyChange(deps, accountId(ctx), body, actor(ctx));
        ctx.status = result.status;
        ctx.body = result.status === 200 ? result.policy : { confirmationId: result.confirmationId, sentTo: result.sentTo };
      },
    }),
    route({
      method: 'post', path: `${base}/security/2fa-policy/confirm`, tag: 'accounts', access: 'account', params: AccountParams, role: 'owner', body: s.PolicyConfirmRequest, response: s.Policy,
      summary: 'Confirm a loosening with the emailed code',
      description: 'Only the owner who asked (`404` for anyone else). The code lives 10 minutes; wrong codes are `401 invalid_code` (with `attemptsRemaining`) and count towards the user\'s lockout; the fifth wrong code spends the confirmation (`429`); a used, replaced or expired confirmation is `410 challenge_expired`. On success the change applies (`200` policy) and every owner is emailed.',
      handler: async (ctx, { body }) => { ctx.body = await confirmPolicyChange(deps, accountId(ctx), body, actor(ctx)); },
    }),
    route({
      method: 'post', path: `${base}/security/2fa-policy/preview`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', body: s.PolicyUpdate, response: PolicyPreview,
      summary: 'Preview a policy change: who would be asked to set up 2FA, which owners block it',
      description: 'Changes nothing. Same body as PUT. `membersToSetUp`: members this account would require 2FA of (for logins from outside the exempt ranges) who have none of the allowed methods, `newlyAffected` when the current policy does not already ask them; `ownersWithout2fa`: owners who would make the PUT answer `409 owners_without_2fa` (when enforce is not off); `needsConfirmation`: the PUT would wait for an emailed code.',
      handler: async (ctx, { body }) => { ctx.body = await previewPolicyChange(deps, accountId(ctx), body); },
    }),

    // ---- IP rules and API keys ----
    route({
      method: 'get', path: `${base}/security/ip-rules`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', response: s.IpRules, summary: 'Where the account\'s API keys may be used from',
      handler: async (ctx) => { ctx.body = { apiAllowedRanges: await findApiAllowedRanges(db, accountId(ctx)) }; },
    }),
    route({
      method: 'put', path: `${base}/security/ip-rules`, tag: 'accounts', access: 'account', params: AccountParams, role: 'owner', reauth: true, body: s.IpRules, response: s.IpRules,
      summary: 'Set where the account\'s API keys may be used from',
      description: 'IPv4, IPv6 and IPv4-mapped CIDR ranges (`400 invalid_request` with `field`). An empty list stops every API key.',
      handler: async (ctx, { body }) => {
        const ranges = normaliseRanges(body.apiAllowedRanges, 'apiAllowedRanges');
        await setApiAllowedRanges(db, accountId(ctx), ranges);
        await audit(ctx, 'ip_rules.changed', null, { apiAllowedRanges: ranges });
        ctx.body = { apiAllowedRanges: ranges };
      },
    }),
    route({
      method: 'post', path: `${base}/api-keys`, tag: 'accounts', access: 'account', params: AccountParams, role: 'owner', reauth: true, status: 201, body: s.CreateApiKeyRequest,
      response: s.ApiKey.extend({ key: z.string() }),
      summary: 'Create an API key (shown once)',
      description: 'The key is returned only in this answer and stored as a hash. It works only on the calls routes, only from `apiAllowedRanges`, and is not subject to 2FA.',
      handler: async (ctx, { body }) => {
        const now = clock.now();
        const created = await createApiKey(db, { accountId: accountId(ctx), name: body.name, createdBy: ctx.state.user!.id, now });
        await audit(ctx, 'api_key.created', null, { apiKeyId: created.id, name: body.name });
        ctx.status = 201;
        ctx.body = { id: created.id, key: created.key, name: body.name, createdAt: iso(now), lastUsedAt: null };
      },
    }),
    route({
      method: 'get', path: `${base}/api-keys`, tag: 'accounts', access: 'account', params: AccountParams, role: 'admin', response: z.array(s.ApiKey), summary: 'The account\'s API keys (never the keys themselves)',
      handler: async (ctx) => { ctx.body = await listApiKeys(db, accountId(ctx)); },
    }),
    route({
      method: 'delete', path: `${base}/api-keys/:id`, tag: 'accounts', access: 'account', params: ApiKeyParams, role: 'owner', status: 204, summary: 'Delete an API key',
      handler: async (ctx, { params }) => {
        if (!(await deleteApiKey(db, accountId(ctx), params.id))) throw new ApiError('not_found');
        await audit(ctx, 'api_key.deleted', null, { apiKeyId: params.id });
        ctx.status = 204;
      },
    }),

    // ---- the audit log ----
    route({
      method: 'get', path: `${base}/audit-events`, tag: 'accounts', access: 'account', params: AccountParams, query: AuditQuery, role: 'admin', response: s.AuditPage,
      summary: 'The account\'s security events, newest first, 50 a page',
      description: 'Query: `cursor` (the `nextCursor` of the previous page), `type` (a type or a prefix such as `policy.`), `userId` (as actor or subject). Includes the user-level events (lockouts, their own 2FA changes) of the members the account manages, from the time they joined; never another account\'s events.',
      handler: async (ctx, { query }) => { ctx.body = await listAccountEvents(db, accountId(ctx), { limit: 50, ...query }); },
    }),

    // ---- the dialer ----
    route({
      method: 'post', path: `${base}/calls`, tag: 'dialer', access: 'account', params: AccountParams, apiKey: true, status: 201, body: s.PlaceCallRequest, response: s.Call,
      summary: 'Place a call', description: 'Any member, or an account API key. `to` in E.164 (`400 invalid_request` with `field: "to"` otherwise).',
      handler: async (ctx, { body }) => {
        const to = parseE164(body.to.trim(), 'to');
        ctx.status = 201;
        ctx.body = await placeCall(db, { accountId: accountId(ctx), to, userId: ctx.state.apiKeyId ? undefined : ctx.state.user?.id, apiKeyId: ctx.state.apiKeyId, now: clock.now() });
      },
    }),
    route({
      method: 'get', path: `${base}/calls`, tag: 'dialer', access: 'account', params: AccountParams, apiKey: true, response: z.array(s.Call), summary: 'Recent calls of the account, newest first (50)',
      handler: async (ctx) => { ctx.body = await listCalls(db, accountId(ctx)); },
    }),
  ];
}
