// A session is inserted at every sign-in with ended_at null, and keeps it until it ends (sign-out, a reset, 2FA
// turned on elsewhere). The retention sweep's index on ended_at (20261203000500) held an entry for every live
// session as well, one more B-tree written by every sign-in; this one holds the ended sessions only. The sweep's
// `ended_at < cutoff` still uses it: a comparison never holds for null, and both engines' planners know it.
import type { Knex } from 'knex';

const PARTIAL = 'sessions_ended_at_partial_index';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['ended_at']);
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.index(['ended_at'], PARTIAL, { predicate: knex.whereNotNull('ended_at') });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['ended_at'], PARTIAL);
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.index(['ended_at']);
  });
}
