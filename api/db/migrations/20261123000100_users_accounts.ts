// Users, accounts (organisations) with their 2FA policy, memberships with roles, and invitations.
// Times are epoch milliseconds in BIGINT columns: the same comparisons on SQLite and PostgreSQL.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('email', 254).notNullable().unique();
    t.string('name', 100).notNullable();
    t.text('password_hash').notNullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('accounts', (t) => {
    t.string('id', 36).primary();
    t.string('name', 100).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('enforce', 10).notNullable().defaultTo('off');
    t.text('allowed_methods').notNullable().defaultTo('["totp","sms","email"]');
    t.integer('remember_device_days').notNullable().defaultTo(30);
    t.text('enforce_outside_ip_ranges').notNullable().defaultTo('[]');
    t.text('api_allowed_ranges').notNullable().defaultTo('[]');
    t.bigInteger('policy_updated_at').notNullable();
    /** When the requirement last grew: a device trusted before it does not skip it. */
    t.bigInteger('enforce_tightened_at').nullable();
  });
  await knex.schema.createTable('memberships', (t) => {
    t.string('account_id', 36).notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('role', 10).notNullable();
    t.boolean('require_2fa').notNullable().defaultTo(false);
    t.bigInteger('require_2fa_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['account_id', 'user_id']);
    t.index(['user_id']);
  });
  await knex.schema.createTable('invitations', (t) => {
    t.string('id', 36).primary();
    t.string('account_id', 36).notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('email', 254).notNullable();
    t.string('role', 10).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('invited_by', 36).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('accepted_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invitations');
  await knex.schema.dropTable('memberships');
  await knex.schema.dropTable('accounts');
  await knex.schema.dropTable('users');
}
