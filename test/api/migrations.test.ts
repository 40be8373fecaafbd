// The migrations run up and down unchanged on this leg's engine (SQLite, or PostgreSQL with DATABASE_URL).
import { describe, expect, it } from 'vitest';
import { createTestDatabase, engine } from '../support/database.ts';
import { migrateLatest, migrateRollbackAll } from '../../api/db.ts';
import { migrationSource } from '../../api/migrations/index.ts';

describe(`migrations on ${engine}`, () => {
  it('go up, down to nothing, and up again', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      await migrateLatest(t.db);
      const names = await migrationSource.getMigrations([]);
      expect((await t.db.migrate.list({ migrationSource }))[0]).toHaveLength(names.length);
      for (const table of ['users', 'accounts', 'memberships', 'sessions', 'challenges', 'factors', 'backup_codes', 'audit_events']) {
        expect(await t.db.schema.hasTable(table), table).toBe(true);
      }
      await migrateRollbackAll(t.db);
      for (const table of ['users', 'sessions', 'factors', 'audit_events']) expect(await t.db.schema.hasTable(table), table).toBe(false);
      await migrateLatest(t.db);
      expect(await t.db.schema.hasColumn('users', 'totp_last_step')).toBe(true);
    } finally {
      await t.drop();
    }
  });
});
