// Grace periods (issue 15): how many days an account gives a member to set up 2FA once a requirement begins, and
// since when `enforce` has covered owners and admins, and everyone, so each member's due date can be computed at
// every request. Kept apart from `enforce_tightened_at` (which exempt-range changes also move, for trusted devices):
// a change that does not require anything new of someone never restarts their grace.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.integer('grace_period_days').notNullable().defaultTo(0);
    /** When `enforce` last became `admins` or `all` from `off` (null while it is `off`). */
    t.bigInteger('admins_required_since').nullable();
    /** When `enforce` last became `all` (null while it is not). */
    t.bigInteger('all_required_since').nullable();
  });
  // Accounts that already enforce have done so since their last tightening at the latest.
  const since = knex.raw('coalesce(enforce_tightened_at, policy_updated_at)');
  await knex('accounts').whereIn('enforce', ['admins', 'all']).update({ admins_required_since: since });
  await knex('accounts').where({ enforce: 'all' }).update({ all_required_since: since });
}

export async function down(knex: Knex): Promise<void> {
  // Plain ALTER TABLE … DROP COLUMN on both engines: Knex's SQLite dropColumn rebuilds the table, and dropping the old
  // `accounts` would cascade into every membership, invitation and API key.
  for (const column of ['grace_period_days', 'admins_required_since', 'all_required_since']) {
    await knex.raw('alter table ?? drop column ??', ['accounts', column]);
  }
}
