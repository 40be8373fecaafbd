// Liveness and readiness. Health answers while the process serves HTTP (it never asks the database, so a database
// outage makes instances unready, not restarted); ready answers 200 only when the database answers and is migrated.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../errors.ts';
import { route } from '../route.ts';
import { checkReadiness } from '../../ops/readiness.ts';

const notReady = {
  database_unreachable: 'The database does not answer.',
  migrations_pending: 'The database is not migrated to this version yet.',
} as const;

export function systemRoutes({ db }: Deps) {
  return [
    route({
      method: 'get',
      path: '/health',
      tag: 'system',
      access: 'public',
      summary: 'Is the process up? (liveness)',
      description:
        'Answers while the server takes requests; the server listens only once the database is migrated. It does not ask the database: use `/ready` for that.',
      response: z.object({ status: z.literal('ok') }),
      handler: async (ctx) => {
        ctx.body = { status: 'ok' };
      },
    }),
    route({
      method: 'get',
      path: '/ready',
      tag: 'system',
      access: 'public',
      summary: 'May this instance take traffic? (readiness)',
      description:
        '`200 {status:"ready"}` when the database answers (within 2 s) and every migration of this version has run; otherwise `503 service_unavailable` with `reason`: `database_unreachable` or `migrations_pending`.',
      response: z.object({ status: z.literal('ready') }),
      handler: async (ctx) => {
        const readiness = await checkReadiness(db);
        ctx.set('Cache-Control', 'no-store');
        if (readiness.ready) {
          ctx.body = { status: 'ready' };
          return;
        }
        // Answered, not thrown: an expected state, which the error renderer would log as a failure at every probe.
        const error = new ApiError('service_unavailable', notReady[readiness.reason]);
        ctx.status = error.status;
        ctx.body = { error: { code: error.code, message: error.message, reason: readiness.reason } };
      },
    }),
  ];
}
