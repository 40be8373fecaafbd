// Health: answers once the database is reachable and migrated.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { route } from '../http.ts';

export function systemRoutes({ db }: Deps) {
  return [
    route({
      method: 'get', path: '/health', tag: 'system', access: 'public', summary: 'Is the API up and migrated?',
      response: z.object({ status: z.literal('ok') }),
      handler: async (ctx) => {
        await db('knex_migrations').count({ n: '*' });
        ctx.body = { status: 'ok' };
      },
    }),
  ];
}
