// Membership by consent (contract v1.1): verified email addresses, the account that manages a user, invitations
// that can be revoked, and sessions that remember why they ended (so a signed-out tab can say why).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    /** When the user proved the mailbox (a verification link, or an invitation link accepted as a new person). */
    t.bigInteger('email_verified_at').nullable();
    /** The account the user came into being through (its signup, or its invitation accepted as a new person): the
     * only one whose owners and admins may reset or rescue the user's 2FA. Null: no account manages them. */
    t.string('managed_by_account_id', 36).nullable();
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.bigInteger('ended_at').nullable();
    /** signed_out | 2fa_reset | 2fa_enabled | ended: told to the client that still holds the token. */
    t.string('ended_reason', 20).nullable();
  });
  await knex.schema.alterTable('invitations', (t) => {
    t.bigInteger('revoked_at').nullable();
    t.index(['account_id']);
  });
  await knex.schema.createTable('email_verifications', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['user_id']);
  });

  // Existing data. A user who accepted an invitation as a new person proved the mailbox with its link.
  await knex('users')
    .whereIn('email', knex('invitations').whereNotNull('accepted_at').select('email'))
    .update({ email_verified_at: knex.ref('created_at') });
  // An account manages the users it created: at signup (account, owner and membership share one timestamp) or
  // by an invitation accepted as a new person (user and membership share one). Users added to an account after
  // they existed (the v1 "add an existing user at once") are not managed by it.
  const created = await knex('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .whereRaw('m.created_at = u.created_at')
    .orderBy('m.account_id')
    .select('m.user_id', 'm.account_id');
  const seen = new Set<string>();
  for (const row of created as { user_id: string; account_id: string }[]) {
    if (seen.has(row.user_id)) continue;
    seen.add(row.user_id);
    await knex('users').where({ id: row.user_id }).update({ managed_by_account_id: row.account_id });
  }
}

// Columns are dropped with plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): Knex's SQLite dropColumn
// rebuilds the table, and dropping the old copy would cascade-delete every row that references it.
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_verifications');
  await knex.schema.alterTable('invitations', (t) => t.dropIndex(['account_id']));
  for (const [table, column] of [
    ['invitations', 'revoked_at'],
    ['sessions', 'ended_at'],
    ['sessions', 'ended_reason'],
    ['users', 'email_verified_at'],
    ['users', 'managed_by_account_id'],
  ] as const) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [table, column]);
  }
}
