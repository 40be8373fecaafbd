// The dialer's calls: the protected resource the extension's popup uses. Any member, or an account API key from
// the account's allowed ranges (middleware/guards.ts).
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { accountRoute } from '../route.ts';
import { accountIdOf } from '../account-request.ts';
import { listCalls, placeCall } from '../../records/calls.ts';
import { parseE164 } from '../../notify/sms.ts';

export function callRoutes(deps: Deps) {
  const { db, clock } = deps;
  return [
    accountRoute({
      method: 'post',
      path: '/calls',
      tag: 'dialer',
      apiKey: true,
      status: 201,
      body: s.PlaceCallRequest,
      response: s.Call,
      summary: 'Place a call',
      description: 'Any member, or an account API key. `to` in E.164 (`400 invalid_request` with `field: "to"` otherwise).',
      handler: async (ctx, { body }) => {
        const to = parseE164(body.to.trim(), 'to');
        ctx.body = await placeCall(db, {
          accountId: accountIdOf(ctx),
          to,
          userId: ctx.state.apiKeyId ? undefined : ctx.state.user?.id,
          apiKeyId: ctx.state.apiKeyId,
          now: clock.now(),
        });
      },
    }),
    accountRoute({
      method: 'get',
      path: '/calls',
      tag: 'dialer',
      apiKey: true,
      response: z.array(s.Call),
      summary: 'Recent calls of the account, newest first (50)',
      handler: async (ctx) => {
        ctx.body = await listCalls(db, accountIdOf(ctx));
      },
    }),
  ];
}
