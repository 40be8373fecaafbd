// An account's 2FA policy: read it, preview a change, change it (tightening at once, loosening after an emailed
// code), confirm a loosening. Owners change it; owners and admins read and preview.
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { accountRoute } from '../route.ts';
import { accountIdOf, actorOf } from '../account-request.ts';
import { findAccount } from '../../records/accounts.ts';
import { readPolicy } from '../../policy/account-policy.ts';
import { confirmPolicyChange, previewPolicyChange, requestPolicyChange } from '../../flows/policy-changes.ts';

const PolicyPreview = z.object({
  policy: s.Policy,
  changed: z.array(z.string()),
  loosened: z.array(z.string()),
  needsConfirmation: z.boolean(),
  membersToSetUp: z.array(
    z.object({
      userId: z.string(),
      email: z.string(),
      name: z.string(),
      role: s.Role,
      reason: z.string(),
      newlyAffected: z.boolean(),
      setupDueBy: z.string().nullable().describe('Their due date under this policy, as if it applied now (null: at their next sign-in)'),
    }),
  ),
  ownersWithout2fa: z.array(s.User.omit({ id: true }).extend({ userId: z.string() })),
});

export function policyRoutes(deps: Deps) {
  const { db } = deps;
  return [
    accountRoute({
      method: 'get',
      path: '/security/2fa-policy',
      role: 'admin',
      response: s.Policy,
      summary: "The account's 2FA policy",
      handler: async (ctx) => {
        ctx.body = readPolicy((await findAccount(db, accountIdOf(ctx)))!);
      },
    }),
    accountRoute({
      method: 'put',
      path: '/security/2fa-policy',
      role: 'owner',
      reauth: true,
      body: s.PolicyUpdate,
      response: z.union([s.Policy, z.object({ confirmationId: z.string(), sentTo: z.string() })]),
      summary: 'Change the 2FA policy (tighten at once; loosen after an emailed code)',
      description: [
        'Omitted fields keep their values; ranges are validated (`400 invalid_request` with `field`) and normalised.',
        'A tightening applies at once: `200` with the policy. A change that loosens any field (lower `enforce`, more `allowedMethods` other than `webauthn`, longer `rememberDeviceDays`, longer `gracePeriodDays`, an exempt range added or widened — every new range must lie inside an old one — or exempt ranges where there were none) waits as a whole: `202 {confirmationId, sentTo}` and a 6-digit code is emailed to the requesting owner; nothing changes until `POST …/security/2fa-policy/confirm`. A newer request replaces a pending one.',
        'Allowing `webauthn` (security keys and passkeys) is not a loosening: phishing cannot relay it, so nobody ends up with a weaker method; `allowedMethods: ["webauthn"]` is "security keys only" and applies at once.',
        '`enforce` admins/all (or fewer methods) while an owner has none of the allowed methods: `409 owners_without_2fa` with `owners:[{userId,email,name}]`.',
        "When the requirement grows (enforce rises, exempt ranges shrink) devices trusted earlier no longer skip it, and members newly asked to set up 2FA are emailed instructions (naming their due date: `gracePeriodDays` from when the change takes effect; members whose due date a new `gracePeriodDays` moves are emailed it). A shorter `rememberDeviceDays` shortens the members' trusted devices at once.",
      ].join(' '),
      handler: async (ctx, { body }) => {
        const result = await requestPolicyChange(deps, accountIdOf(ctx), body, actorOf(ctx));
        ctx.status = result.status;
        ctx.body = result.status === 200 ? result.policy : { confirmationId: result.confirmationId, sentTo: result.sentTo };
      },
    }),
    accountRoute({
      method: 'post',
      path: '/security/2fa-policy/confirm',
      role: 'owner',
      body: s.PolicyConfirmRequest,
      response: s.Policy,
      summary: 'Confirm a loosening with the emailed code',
      description:
        "Only the owner who asked (`404` for anyone else). The code lives 10 minutes; wrong codes are `401 invalid_code` (with `attemptsRemaining`) and count towards the user's lockout; the fifth wrong code spends the confirmation (`429`); a used, replaced or expired confirmation is `410 challenge_expired`. On success the change applies (`200` policy) and every owner is emailed.",
      handler: async (ctx, { body }) => {
        ctx.body = await confirmPolicyChange(deps, accountIdOf(ctx), body, actorOf(ctx));
      },
    }),
    accountRoute({
      method: 'post',
      path: '/security/2fa-policy/preview',
      role: 'admin',
      body: s.PolicyUpdate,
      response: PolicyPreview,
      summary: 'Preview a policy change: who would be asked to set up 2FA, which owners block it',
      description:
        'Changes nothing. Same body as PUT. `membersToSetUp`: members this account would require 2FA of (for logins from outside the exempt ranges) who have none of the allowed methods, `newlyAffected` when the current policy does not already ask them; `ownersWithout2fa`: owners who would make the PUT answer `409 owners_without_2fa` (when enforce is not off); `needsConfirmation`: the PUT would wait for an emailed code.',
      handler: async (ctx, { body }) => {
        ctx.body = await previewPolicyChange(deps, accountIdOf(ctx), body);
      },
    }),
  ];
}
