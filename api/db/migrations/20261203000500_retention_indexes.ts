// Indexes that let the retention sweep (api/retention.ts) find dead rows by time without scanning whole tables.
// Only columns written once (or rarely) are indexed: the session's idle deadline, rewritten as sessions are used,
// is not, so a session check's UPDATE stays as cheap as before.
import type { Knex } from 'knex';

const INDEXES: [table: string, column: string][] = [
  ['challenges', 'expires_at'],
  ['sessions', 'ended_at'],
  ['sessions', 'absolute_expires_at'],
  ['one_time_codes', 'expires_at'],
  ['code_sends', 'at'],
  ['trusted_devices', 'expires_at'],
  ['invitations', 'expires_at'],
  ['email_verifications', 'expires_at'],
  ['policy_confirmations', 'expires_at'],
  ['recovery_codes', 'expires_at'],
  ['webauthn_challenges', 'expires_at'],
  ['audit_events', 'at'],
];

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of INDEXES) {
    await knex.schema.alterTable(table, (t) => {
      t.index([column]);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column] of [...INDEXES].reverse()) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex([column]);
    });
  }
}
