// An account's audit log: its security events, newest first, a page at a time, filtered by type and by person.
import { z } from 'zod';
import * as s from '../../../shared/schemas.ts';
import type { Deps } from '../../deps.ts';
import { accountRoute } from '../route.ts';
import { accountIdOf } from '../account-request.ts';
import { listAccountEvents } from '../../records/audit.ts';

/** `?cursor=&type=&userId=`: each at most once (a repeated key is an array, which a string refuses). */
const AuditQuery = z.object({
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'Use the nextCursor of the previous page.')
    .transform(Number)
    .optional()
    .describe('The `nextCursor` of the previous page'),
  type: z.string().max(60).optional().describe('An event type, or a prefix such as `policy.`'),
  userId: z.string().max(36).optional().describe('Only events with this user as actor or subject'),
});

export function auditRoutes(deps: Deps) {
  const { db } = deps;
  return [
    accountRoute({
      method: 'get',
      path: '/audit-events',
      query: AuditQuery,
      role: 'admin',
      response: s.AuditPage,
      summary: "The account's security events, newest first, 50 a page",
      description:
        "Query: `cursor` (the `nextCursor` of the previous page), `type` (a type or a prefix such as `policy.`), `userId` (as actor or subject). Includes the user-level events (lockouts, their own 2FA changes) of the members the account manages, from the time they joined; never another account's events.",
      handler: async (ctx, { query }) => {
        ctx.body = await listAccountEvents(db, accountIdOf(ctx), { limit: 50, ...query });
      },
    }),
  ];
}
