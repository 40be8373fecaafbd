// Account administration: owner-issued recovery codes, pending policy loosenings, API keys, the audit log
// and the dialer's calls.
import type { Knex } from 'knex';

type Table = Knex.CreateTableBuilder;

/** A row of an account, found by its own id: it goes when the account goes. */
function ofAccount(t: Table): void {
  t.string('id', 36).primary();
  t.string('account_id', 36).notNullable().references('accounts.id').onDelete('CASCADE');
}

/** When a code was made and when it stops working. */
function lifetime(t: Table): void {
  t.bigInteger('created_at').notNullable();
  t.bigInteger('expires_at').notNullable();
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recovery_codes', (t) => {
    t.string('user_id', 36).primary().references('users.id').onDelete('CASCADE');
    t.string('account_id', 36).notNullable();
    t.string('issued_by', 36).notNullable();
    t.string('code_hash', 64).notNullable();
    lifetime(t);
    t.bigInteger('used_at').nullable();
  });
  await knex.schema.createTable('policy_confirmations', (t) => {
    ofAccount(t);
    t.string('requested_by', 36).notNullable();
    t.text('changes').notNullable();
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    lifetime(t);
    t.bigInteger('consumed_at').nullable();
  });
  await knex.schema.createTable('api_keys', (t) => {
    ofAccount(t);
    t.string('name', 100).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.string('created_by', 36).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
  });
  await knex.schema.createTable('audit_events', (t) => {
    t.increments('id').primary();
    t.bigInteger('at').notNullable();
    t.string('account_id', 36).nullable();
    t.string('actor_user_id', 36).nullable();
    t.string('subject_user_id', 36).nullable();
    t.string('type', 60).notNullable();
    t.string('ip', 64).nullable();
    t.text('detail').notNullable().defaultTo('{}');
    t.index(['account_id', 'id']);
    t.index(['subject_user_id', 'id']);
  });
  await knex.schema.createTable('calls', (t) => {
    ofAccount(t);
    t.string('user_id', 36).nullable();
    t.string('api_key_id', 36).nullable();
    t.string('to_number', 32).notNullable();
    t.string('status', 10).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['account_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['calls', 'audit_events', 'api_keys', 'policy_confirmations', 'recovery_codes']) {
    await knex.schema.dropTable(table);
  }
}
