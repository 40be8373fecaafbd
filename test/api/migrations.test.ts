// The migrations run up and down unchanged on this leg's engine (SQLite, or PostgreSQL with DATABASE_URL).
import { describe, expect, it } from 'vitest';
import { createTestDatabase, engine } from '../support/database.ts';
import { migrateLatest, migrateRollbackAll } from '../../api/db/db.ts';
import { migrationSource } from '../../api/db/migrations/index.ts';

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

describe(`the consent migration on ${engine}`, () => {
  it('marks invited people verified and managed by the account that created them; users added later stay unmanaged', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      const all = await migrationSource.getMigrations([]);
      const before = all.indexOf('20261203000100_consent');
      for (let i = 0; i < before; i++) await t.db.migrate.up({ migrationSource });
      const at = 1_800_000_000_000;
      const user = (id: string, created: number) => ({ id, email: `${id}@example.com`, name: id, password_hash: 'x', created_at: created });
      await t.db('users').insert([user('founder', at), user('invitee', at + 10), user('joiner', at - 5000)]);
      await t.db('accounts').insert({ id: 'acme', name: 'Acme', created_at: at, policy_updated_at: at });
      await t.db('memberships').insert([
        { account_id: 'acme', user_id: 'founder', role: 'owner', created_at: at }, // signed up with the account
        { account_id: 'acme', user_id: 'invitee', role: 'member', created_at: at + 10 }, // v1 invitation accepted as a new person
        { account_id: 'acme', user_id: 'joiner', role: 'member', created_at: at + 20 }, // v1 "added an existing user at once"
      ]);
      await t.db('invitations').insert({
        id: 'i1',
        account_id: 'acme',
        email: 'invitee@example.com',
        role: 'member',
        token_hash: 'h',
        invited_by: 'founder',
        created_at: at,
        expires_at: at + 1,
        accepted_at: at + 10,
      });
      await t.db.migrate.up({ migrationSource });
      const rows = await t.db('users').orderBy('id').select('id', 'email_verified_at', 'managed_by_account_id');
      expect(rows).toEqual([
        { id: 'founder', email_verified_at: null, managed_by_account_id: 'acme' },
        { id: 'invitee', email_verified_at: at + 10, managed_by_account_id: 'acme' },
        { id: 'joiner', email_verified_at: null, managed_by_account_id: null },
      ]);
    } finally {
      await t.drop();
    }
  });
});

describe(`rolling the consent migration back on ${engine}`, () => {
  it('keeps every user, session and membership', async () => {
    const t = await createTestDatabase();
    try {
      const at = 1_800_000_000_000;
      await t.db('users').insert({ id: 'u', email: 'u@example.com', name: 'U', password_hash: 'x', created_at: at });
      await t.db('accounts').insert({ id: 'a', name: 'A', created_at: at, policy_updated_at: at });
      await t.db('memberships').insert({ account_id: 'a', user_id: 'u', role: 'owner', created_at: at });
      await t.db('sessions').insert({
        id: 's',
        token_hash: 'h',
        user_id: 'u',
        created_at: at,
        last_used_at: at,
        idle_expires_at: at,
        absolute_expires_at: at,
        reauth_until: at,
      });
      const all = await migrationSource.getMigrations([]);
      const steps = all.length - all.indexOf('20261203000100_consent');
      for (let i = 0; i < steps; i++) await t.db.migrate.down({ migrationSource });
      expect(Number((await t.db('memberships').count({ n: '*' }).first())!.n)).toBe(1);
      expect(Number((await t.db('sessions').count({ n: '*' }).first())!.n)).toBe(1);
      expect(await t.db.schema.hasColumn('users', 'managed_by_account_id')).toBe(false);
    } finally {
      await t.drop();
    }
  });
});

describe(`the sessions' ended_at index on ${engine}`, () => {
  it('holds ended sessions only (a sign-in writes no entry), and the sweep can still search it', async () => {
    const t = await createTestDatabase();
    try {
      const definition =
        engine === 'pg'
          ? (
              await t
                .db('pg_indexes')
                .where({ schemaname: t.searchPath, tablename: 'sessions' })
                .whereLike('indexdef', '%(ended_at)%')
                .select('indexdef')
            ).map((r: { indexdef: string }) => r.indexdef)
          : (
              await t.db('sqlite_master').where({ type: 'index', tbl_name: 'sessions' }).whereLike('sql', '%(`ended_at`)%').select('sql')
            ).map((r: { sql: string }) => r.sql);
      expect(definition).toHaveLength(1);
      expect(definition[0]).toMatch(/where .*ended_at.* is not null/i);
      if (engine === 'sqlite') {
        const plan = (await t.db.raw(
          'explain query plan select id from sessions where ended_at < ? or absolute_expires_at < ?',
          [1, 1],
        )) as {
          detail: string;
        }[];
        expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX sessions_ended_at_partial_index (ended_at<?)');
      }
    } finally {
      await t.drop();
    }
  });
});
