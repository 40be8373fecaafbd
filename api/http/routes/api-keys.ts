// An account's API keys and the address ranges they work from (the IP rules). Keys reach only the calls routes and
// are not subject to 2FA; owners create and delete them, owners and admins list them.
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { accountRoute } from '../route.ts';
import { AccountParams, Id } from '../params.ts';
import { accountIdOf, recordAccountEvent } from '../account-request.ts';
import { ApiError } from '../../errors.ts';
import { createApiKey, deleteApiKey, listApiKeys } from '../../records/api-keys.ts';
import { normaliseRanges } from '../../policy/account-policy.ts';
import { findApiAllowedRanges, setApiAllowedRanges } from '../../records/ip-rules.ts';
import { iso } from '../../db/db.ts';

const ApiKeyParams = AccountParams.extend({ id: Id.describe("The key's `id` in `GET …/api-keys`") });

export function apiKeyRoutes(deps: Deps) {
  const { db, clock } = deps;
  return [
    accountRoute({
      method: 'get',
      path: '/security/ip-rules',
      role: 'admin',
      response: s.IpRules,
      summary: "Where the account's API keys may be used from",
      handler: async (ctx) => {
        ctx.body = { apiAllowedRanges: await findApiAllowedRanges(db, accountIdOf(ctx)) };
      },
    }),
    accountRoute({
      method: 'put',
      path: '/security/ip-rules',
      role: 'owner',
      reauth: true,
      body: s.IpRules,
      response: s.IpRules,
      summary: "Set where the account's API keys may be used from",
      description: 'IPv4, IPv6 and IPv4-mapped CIDR ranges (`400 invalid_request` with `field`). An empty list stops every API key.',
      handler: async (ctx, { body }) => {
        const ranges = normaliseRanges(body.apiAllowedRanges, 'apiAllowedRanges');
        await setApiAllowedRanges(db, accountIdOf(ctx), ranges);
        await recordAccountEvent(deps, ctx, 'ip_rules.changed', null, { apiAllowedRanges: ranges });
        ctx.body = { apiAllowedRanges: ranges };
      },
    }),
    accountRoute({
      method: 'post',
      path: '/api-keys',
      role: 'owner',
      reauth: true,
      status: 201,
      body: s.CreateApiKeyRequest,
      response: s.ApiKey.extend({ key: z.string() }),
      summary: 'Create an API key (shown once)',
      description:
        'The key is returned only in this answer and stored as a hash. It works only on the calls routes, only from `apiAllowedRanges`, and is not subject to 2FA.',
      handler: async (ctx, { body }) => {
        const now = clock.now();
        const created = await createApiKey(db, { accountId: accountIdOf(ctx), name: body.name, createdBy: ctx.state.user!.id, now });
        await recordAccountEvent(deps, ctx, 'api_key.created', null, { apiKeyId: created.id, name: body.name });
        ctx.body = { id: created.id, key: created.key, name: body.name, createdAt: iso(now), lastUsedAt: null };
      },
    }),
    accountRoute({
      method: 'get',
      path: '/api-keys',
      role: 'admin',
      response: z.array(s.ApiKey),
      summary: "The account's API keys (never the keys themselves)",
      handler: async (ctx) => {
        ctx.body = await listApiKeys(db, accountIdOf(ctx));
      },
    }),
    accountRoute({
      method: 'delete',
      path: '/api-keys/:id',
      params: ApiKeyParams,
      role: 'owner',
      status: 204,
      summary: 'Delete an API key',
      handler: async (ctx, { params }) => {
        if (!(await deleteApiKey(db, accountIdOf(ctx), params.id))) throw new ApiError('not_found');
        await recordAccountEvent(deps, ctx, 'api_key.deleted', null, { apiKeyId: params.id });
      },
    }),
  ];
}
