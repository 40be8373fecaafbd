// Security keys and passkeys (WebAuthn): one row per registered credential, and the ceremony challenges that
// are waiting for a key's answer. A user's keys hang off their `factors` row for `webauthn` (enabled while they
// have at least one key), so removing that row (removing the method, turning 2FA off, an admin reset) removes
// every key with it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webauthn_credentials', (t) => {
    /** The credential ID as the browser reports it (base64url): unique across users, as WebAuthn asks. */
    t.string('id', 1400).primary();
    t.string('user_id', 36).notNullable();
    /** Always 'webauthn': the other half of the key to the user's factors row. */
    t.string('method', 10).notNullable().defaultTo('webauthn');
    /** The COSE public key (base64url). Public, so not sealed. */
    t.text('public_key').notNullable();
    /** The authenticator's signature counter: an assertion that does not raise it (when it counts) is refused. */
    t.bigInteger('sign_count').notNullable().defaultTo(0);
    t.text('transports').notNullable().defaultTo('[]');
    t.string('name', 64).notNullable();
    t.string('aaguid', 36).nullable();
    /** A passkey synced by its provider (backup state), as the authenticator last said. */
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').nullable();
    t.foreign(['user_id', 'method']).references(['user_id', 'method']).inTable('factors').onDelete('CASCADE');
    t.index(['user_id']);
  });
  await knex.schema.createTable('webauthn_challenges', (t) => {
    t.string('user_id', 36).notNullable().references('users.id').onDelete('CASCADE');
    /** What the ceremony is bound to: `challenge:<login challenge>:webauthn`, `enroll:<session or setup challenge>`,
     * `reauth:<session>`. A new ceremony for the same purpose replaces the old one. */
    t.string('purpose', 120).notNullable();
    t.string('challenge', 128).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.primary(['user_id', 'purpose']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webauthn_challenges');
  await knex.schema.dropTable('webauthn_credentials');
}
