// The grace-period migration on this leg's engine: accounts that already enforce get their start recorded (so a grace
// set later counts from then, never from the migration), and `down` drops the columns without touching any row.
import { describe, expect, it } from 'vitest';
import { createTestDatabase, engine } from '../support/database.ts';
import { migrateLatest } from '../../api/db/db.ts';
import { migrationSource } from '../../api/db/migrations/index.ts';

const NAME = '20261203000400_grace_period';

describe(`grace-period migration on ${engine}`, () => {
  it('backfills when enforcement began, and rolls back keeping every account and membership', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      await migrateLatest(t.db);
      await t.db.migrate.down({ migrationSource, name: NAME });
      expect(await t.db.schema.hasColumn('accounts', 'grace_period_days')).toBe(false);
      await t.db('users').insert({ id: 'u1', email: 'u1@example.com', name: 'U', password_hash: 'x', created_at: 1 });
      await t.db('accounts').insert([
        { id: 'off', name: 'Off', created_at: 1, policy_updated_at: 100, enforce: 'off' },
        { id: 'admins', name: 'Admins', created_at: 1, policy_updated_at: 200, enforce: 'admins', enforce_tightened_at: 150 },
        { id: 'all', name: 'All', created_at: 1, policy_updated_at: 300, enforce: 'all' },
      ]);
      await t.db('memberships').insert({ account_id: 'all', user_id: 'u1', role: 'member', created_at: 5 });

      await t.db.migrate.up({ migrationSource, name: NAME });
      const rows = await t.db('accounts').orderBy('id').select('id', 'grace_period_days', 'admins_required_since', 'all_required_since');
      expect(rows).toEqual([
        { id: 'admins', grace_period_days: 0, admins_required_since: 150, all_required_since: null },
        { id: 'all', grace_period_days: 0, admins_required_since: 300, all_required_since: 300 },
        { id: 'off', grace_period_days: 0, admins_required_since: null, all_required_since: null },
      ]);

      await t.db.migrate.down({ migrationSource, name: NAME });
      expect(Number((await t.db('accounts').count({ n: '*' }).first())!.n)).toBe(3);
      expect(Number((await t.db('memberships').count({ n: '*' }).first())!.n)).toBe(1);
      expect(await t.db.schema.hasColumn('accounts', 'all_required_since')).toBe(false);
    } finally {
      await t.drop();
    }
  });
});
