// Hardening (issue 11): password-guessing throttles, and what the SMS/email send caps need to count sends
// per client address, per unverified destination and per country calling code.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_throttles', (t) => {
    /** A keyed hash (HMAC) of the email: the table never holds an email in clear. */
    t.string('key', 64).primary();
    /** Wrong passwords in a row (an attempt is counted before it is checked; a right one deletes the row). */
    t.integer('failures').notNullable().defaultTo(0);
    t.bigInteger('last_failure_at').notNullable();
    /** No attempt before this time (0: none running). */
    t.bigInteger('blocked_until').notNullable().defaultTo(0);
    t.index(['last_failure_at']);
  });
  await knex.schema.createTable('address_throttles', (t) => {
    /** A keyed hash (HMAC) of the client address. */
    t.string('key', 64).primary();
    /** The leaky bucket's theoretical arrival time (GCRA): full when it runs more than a burst ahead of now. */
    t.bigInteger('tat').notNullable();
    t.index(['tat']);
  });
  await knex.schema.alterTable('code_sends', (t) => {
    t.string('ip', 64).nullable();
    /** True when the destination is the user's own enabled factor (login and reauth codes), false for enrolment. */
    t.boolean('verified').notNullable().defaultTo(false);
    /** The phone number's country calling code (`61`), for the hourly ceiling against SMS pumping; null for email. */
    t.string('country_code', 4).nullable();
    t.index(['ip', 'at']);
    t.index(['country_code', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('code_sends', (t) => {
    t.dropIndex(['ip', 'at']);
    t.dropIndex(['country_code', 'at']);
  });
  await knex.schema.alterTable('code_sends', (t) => {
    t.dropColumns('ip', 'verified', 'country_code');
  });
  await knex.schema.dropTable('address_throttles');
  await knex.schema.dropTable('password_throttles');
}
