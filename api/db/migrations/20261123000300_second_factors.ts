// Second factors: enrolled methods, login challenges, emailed/texted codes, backup codes, trusted devices,
// and the per-user failure counters that drive the lockout.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('preferred_method', 10).nullable();
    t.string('previous_phone', 32).nullable();
    /** AES-GCM sealed JSON of the current backup code set, so the user can reveal it after re-authentication. */
    t.text('backup_codes_sealed').nullable();
    /** Wrong codes in a row since the last lock (drives the 15-minute lock at 10). */
    t.integer('failed_code_streak').notNullable().defaultTo(0);
    /** Wrong codes in a row, never reset by a lock expiring (the 100-failure ceiling). */
    t.integer('failed_code_total').notNullable().defaultTo(0);
    t.bigInteger('code_locked_until').nullable();
    /** The last TOTP step accepted for this user: the replay guard. */
    t.bigInteger('totp_last_step').nullable();
  });
  await knex.schema.createTable('factors', (t) => {
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('method', 10).notNullable();
    t.bigInteger('enabled_at').nullable();
    t.text('secret_sealed').nullable();
    t.text('pending_secret_sealed').nullable();
    t.string('destination', 254).nullable();
    t.string('pending_destination', 254).nullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['user_id', 'method']);
  });
  await knex.schema.createTable('challenges', (t) => {
    t.string('id', 36).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('kind', 10).notNullable();
    t.text('methods').notNullable();
    t.string('client', 10).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 300).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('completed_at').nullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('one_time_codes', (t) => {
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 80).notNullable();
    t.string('channel', 10).notNullable();
    t.string('destination', 254).notNullable();
    t.string('code_hash', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('consumed_at').nullable();
    t.primary(['user_id', 'purpose']);
  });
  await knex.schema.createTable('code_sends', (t) => {
    t.increments('id').primary();
    t.string('user_id', 36).notNullable();
    t.string('channel', 10).notNullable();
    t.string('destination', 254).notNullable();
    t.bigInteger('at').notNullable();
    t.index(['user_id', 'at']);
    t.index(['destination', 'at']);
  });
  await knex.schema.createTable('backup_codes', (t) => {
    t.increments('id').primary();
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['user_id', 'code_hash']);
  });
  await knex.schema.createTable('trusted_devices', (t) => {
    t.string('id', 36).primary();
    t.string('token_hash', 64).notNullable().unique();
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 120).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['trusted_devices', 'backup_codes', 'code_sends', 'one_time_codes', 'challenges', 'factors']) {
    await knex.schema.dropTable(table);
  }
  // Plain ALTER TABLE … DROP COLUMN: Knex's SQLite dropColumn rebuilds the table, and dropping the old copy would
  // cascade-delete every session, membership and factor of every user.
  for (const column of [
    'preferred_method',
    'previous_phone',
    'backup_codes_sealed',
    'failed_code_streak',
    'failed_code_total',
    'code_locked_until',
    'totp_last_step',
  ]) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['users', column]);
  }
}
