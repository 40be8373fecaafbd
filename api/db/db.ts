// Knex for SQLite or PostgreSQL, chosen by the config; both run the same migrations and queries.
import knex, { type Knex } from 'knex';
import type pg from 'pg';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DatabaseConfig } from '../config.ts';
import { migrationSource } from './migrations/index.ts';
import { registerHotDb, type SqliteConnection } from './hot.ts';
import { SQLITE_CACHE_PRAGMA, SQLITE_WRITE_PRAGMAS } from './sqlite-settings.ts';

export type Db = Knex;

/** BIGINT columns hold epoch milliseconds, well inside a double's exact range: read them as numbers. pg is loaded
 * here, for PostgreSQL only (Knex loads the same module): on SQLite it was a twentieth of the start-up. */
function readBigintsAsNumbers(): void {
  const { types } = createRequire(import.meta.url)('pg') as typeof pg;
  types.setTypeParser(types.builtins.INT8, (value: string) => Number(value));
}

export interface DbOptions {
  poolMax?: number;
  /** PostgreSQL schema to work in (tests give each file its own). */
  searchPath?: string;
}

export function createDb(database: DatabaseConfig, options: DbOptions = {}): Db {
  if (database.client === 'pg') {
    readBigintsAsNumbers();
    const db = knex({
      client: 'pg',
      connection: { connectionString: database.connectionString },
      searchPath: options.searchPath ? [options.searchPath] : undefined,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
          if (!options.searchPath) return done(null, conn);
          conn.query(`SET search_path TO "${options.searchPath}"`, (err) => done(err, conn));
        },
      },
    });
    registerHotDb(db, { client: 'pg' });
    return db;
  }
  // The hot path (hot.ts) runs its statements on this one connection, when no transaction holds it.
  const engine: { client: 'sqlite'; connection: SqliteConnection | null } = { client: 'sqlite', connection: null };
  if (database.filename !== ':memory:') mkdirSync(dirname(database.filename), { recursive: true });
  const db = knex({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    useNullAsDefault: true,
    pool: {
      // One connection: SQLite has one writer, and a single connection keeps a conditional UPDATE atomic.
      min: 1,
      max: 1,
      afterCreate: (conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        for (const pragma of SQLITE_WRITE_PRAGMAS) conn.pragma(pragma);
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma(SQLITE_CACHE_PRAGMA);
        cachePreparedStatements(conn as unknown as PreparingConnection);
        engine.connection = conn as unknown as SqliteConnection;
        done(null, conn);
      },
    },
  });
  registerHotDb(db, engine);
  return db;
}

interface PreparingConnection {
  prepare(sql: string): unknown;
}
const STATEMENT_CACHE_SIZE = 500;

/** Knex prepares every query anew, and compiling SQL was a sixth of a session check's CPU (bench/README.md).
 * Keep compiled statements by their SQL text: better-sqlite3 runs a statement synchronously to completion, and
 * Knex never iterates one lazily, so a cached statement is never in use when it is handed out again. */
function cachePreparedStatements(conn: PreparingConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}

/** Rows changed by an UPDATE or DELETE, whichever engine answered. */
export function affected(result: number | unknown[]): number {
  return typeof result === 'number' ? result : result.length;
}

export const toBool = (value: unknown): boolean => value === true || value === 1 || value === '1';
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms));
