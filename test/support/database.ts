// A fresh, migrated database for one test file: a temporary SQLite file, or (when DATABASE_URL is postgres://…)
// a schema of its own in that PostgreSQL database, dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import knex from 'knex';
import type { DatabaseConfig } from '../../api/config.ts';
import { createDb, migrateLatest, type Db } from '../../api/db/db.ts';

export const engine: 'sqlite' | 'pg' = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? 'pg' : 'sqlite';

export interface TestDatabase {
  db: Db;
  config: DatabaseConfig;
  searchPath?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDatabase> {
  let result: TestDatabase;
  if (engine === 'pg') {
    const connectionString = process.env.DATABASE_URL!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: { connectionString } });
    await admin.raw(`CREATE SCHEMA "${schema}"`);
    await admin.destroy();
    const config: DatabaseConfig = { client: 'pg', connectionString };
    const db = createDb(config, { searchPath: schema, poolMax: options.poolMax });
    result = {
      db,
      config,
      searchPath: schema,
      async drop() {
        await db.destroy();
        const cleanup = knex({ client: 'pg', connection: { connectionString } });
        await cleanup.raw(`DROP SCHEMA "${schema}" CASCADE`);
        await cleanup.destroy();
      },
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'twofold-db-'));
    const config: DatabaseConfig = { client: 'sqlite', filename: join(dir, 'test.sqlite') };
    const db = createDb(config);
    result = {
      db,
      config,
      async drop() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (options.migrate !== false) await migrateLatest(result.db);
  return result;
}
