// Second factors: enrolled methods, login challenges, emailed/texted codes, backup codes, trusted devices,
// and the per-user failure counters that drive the lockout.
import type { Knex } from 'knex';

type Table = Knex.CreateTableBuilder;

/** The user a row belongs to: it goes when they go. */
const ownedByUser = (t: Table) => t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');

/** A row a bearer token finds (challenges, trusted devices): its id, the token's hash and the user it is for. */
function keyedByToken(t: Table): void {
  t.string('id', 36).primary();
  t.string('token_hash', 64).notNullable().unique();
  ownedByUser(t);
}

/** Where a code is sent: by SMS or email, to which number or address. */
function sentTo(t: Table): void {
  t.string('channel', 10).notNullable();
  t.string('destination', 254).notNullable();
}

/** When a challenge, code or device was made and when it stops working. */
function lifetime(t: Table): void {
  t.bigInteger('created_at').notNullable();
  t.bigInteger('expires_at').notNullable();
}

/** The columns added to `users`, in order: `up` adds them, `down` drops them. */
const userColumns: Record<string, (t: Knex.AlterTableBuilder, name: string) => void> = {
  preferred_method: (t, name) => t.string(name, 10).nullable(),
  previous_phone: (t, name) => t.string(name, 32).nullable(),
  /** AES-GCM sealed JSON of the current backup code set, so the user can reveal it after re-authentication. */
  backup_codes_sealed: (t, name) => t.text(name).nullable(),
  /** Wrong codes in a row since the last lock (drives the 15-minute lock at 10). */
  failed_code_streak: (t, name) => t.integer(name).notNullable().defaultTo(0),
  /** Wrong codes in a row, never reset by a lock expiring (the 100-failure ceiling). */
  failed_code_total: (t, name) => t.integer(name).notNullable().defaultTo(0),
  code_locked_until: (t, name) => t.bigInteger(name).nullable(),
  /** The last TOTP step accepted for this user: the replay guard. */
  totp_last_step: (t, name) => t.bigInteger(name).nullable(),
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    for (const [name, add] of Object.entries(userColumns)) add(t, name);
  });
  await knex.schema.createTable('factors', (t) => {
    ownedByUser(t);
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
    keyedByToken(t);
    t.string('kind', 10).notNullable();
    t.text('methods').notNullable();
    t.string('client', 10).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 300).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    lifetime(t);
    t.bigInteger('completed_at').nullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('one_time_codes', (t) => {
    ownedByUser(t);
    t.string('purpose', 80).notNullable();
    sentTo(t);
    t.string('code_hash', 64).notNullable();
    lifetime(t);
    t.bigInteger('consumed_at').nullable();
    t.primary(['user_id', 'purpose']);
  });
  await knex.schema.createTable('code_sends', (t) => {
    t.increments('id').primary();
    t.string('user_id', 36).notNullable();
    sentTo(t);
    t.bigInteger('at').notNullable();
    t.index(['user_id', 'at']);
    t.index(['destination', 'at']);
  });
  await knex.schema.createTable('backup_codes', (t) => {
    t.increments('id').primary();
    ownedByUser(t);
    t.string('code_hash', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('used_at').nullable();
    t.index(['user_id', 'code_hash']);
  });
  await knex.schema.createTable('trusted_devices', (t) => {
    keyedByToken(t);
    t.string('name', 120).notNullable();
    lifetime(t);
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
  for (const column of Object.keys(userColumns)) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['users', column]);
  }
}
