// Hardening (issue 11): password-guessing throttles, and what the SMS/email send caps need to count sends
// per client address, per unverified destination and per country calling code.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_throttles', (t) => {
    /** A keyed hash (HMAC) of `email:<address>` or `ip:<address>`: the table never holds an email in clear. */
    t.string('key', 64).primary();
    /** Failed passwords in a row (including attempts in flight: an attempt is counted before it is checked). */
    t.integer('failures').notNullable().defaultTo(0);
    t.bigInteger('last_failure_at').notNullable();
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
  await knex.schema.dropTable('password_throttles');
}
