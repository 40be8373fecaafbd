// The hot path's statements: the few queries every session check and code check runs, each prepared once per
// connection instead of going through Knex's builder, runner and pool on every request (bench/README.md: Knex and
// SQLite recompiling the same SQL were about 45% of a session check's CPU). Knex stays for everything else.
//
// The records module that owns a table declares its statements with `hotStatement` and runs them with `hotRows`,
// `hotFirst` or `hotRun`, passing the `db` it was given:
// - SQLite: the statement runs synchronously on Knex's one connection (createDb registers it here), through the
//   statement cache on that connection. That is safe because better-sqlite3 runs a statement to completion before
//   returning, so nothing can interleave with it, and because it is used only when no transaction is open on that
//   connection (`inTransaction`): a Knex transaction holds the connection across awaits, and a statement run beside
//   it would join it (seeing its uncommitted rows, or being rolled back with it). Then, and whenever `db` is a
//   transaction, the statement goes through Knex instead, which waits for the connection as before.
// - PostgreSQL: a named prepared statement (`{name, text, values}`) on a client of Knex's own pool, so the server
//   parses and plans it once per connection. A transaction object has its own connection: it goes through Knex.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export interface HotStatement {
  /** SQL with `?` placeholders, for SQLite and for Knex's raw. */
  readonly sql: string;
  /** The same SQL with `$1`… placeholders, for PostgreSQL's extended protocol. */
  readonly pgText: string;
  /** A name unique to the text: PostgreSQL refuses a name reused for another text on one connection. */
  readonly pgName: string;
}

/** One engine's SQL per statement when they differ (JSON functions); `?` placeholders in both. */
export function hotStatement(sql: string | { sqlite: string; pg: string }): { sqlite: HotStatement; pg: HotStatement } {
  const of = (text: string): HotStatement => {
    let n = 0;
    return {
      sql: text,
      pgText: text.replace(/\?/g, () => `$${++n}`),
      pgName: `tf_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`,
    };
  };
  return typeof sql === 'string' ? { sqlite: of(sql), pg: of(sql) } : { sqlite: of(sql.sqlite), pg: of(sql.pg) };
}

export type HotValue = string | number | null;
type Row = Record<string, unknown>;

interface SqliteStatement {
  reader: boolean;
  /** Rows as arrays of their values instead of objects, until turned off again. */
  raw(on: boolean): SqliteStatement;
  all(values: readonly HotValue[]): Row[];
  get(values: readonly HotValue[]): Row | undefined;
  run(values: readonly HotValue[]): { changes: number };
}
export interface SqliteConnection {
  open: boolean;
  inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
}
interface PgConnection {
  query(config: { name: string; text: string; values: readonly HotValue[]; rowMode?: 'array' }): Promise<{
    rows: Row[];
    rowCount: number | null;
  }>;
}

type Engine = { client: 'sqlite'; connection: SqliteConnection | null } | { client: 'pg' };
const engines = new WeakMap<object, Engine>();

/** createDb's part: the root Knex instance, and for SQLite its one connection once the pool has opened it. */
export function registerHotDb(db: Knex, engine: Engine): void {
  engines.set(db, engine);
}

/** The SQLite connection the hot path may use right now, or null (use Knex). */
function freeSqliteConnection(engine: Engine | undefined): SqliteConnection | null {
  if (engine?.client !== 'sqlite') return null;
  const conn = engine.connection;
  return conn?.open && !conn.inTransaction ? conn : null;
}

const isPg = (db: Knex, engine: Engine | undefined): boolean =>
  engine ? engine.client === 'pg' : (db.client as { config: { client: string } }).config.client === 'pg';

async function onPgPool<T>(db: Knex, run: (conn: PgConnection) => Promise<T>): Promise<T> {
  const client = db.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await run(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** Every row the statement answers. */
export async function hotRows(
  db: Knex,
  statement: { sqlite: HotStatement; pg: HotStatement },
  values: readonly HotValue[],
): Promise<Row[]> {
  const engine = engines.get(db);
  const sqlite = freeSqliteConnection(engine);
  if (sqlite) return sqlite.prepare(statement.sqlite.sql).all(values);
  if (isPg(db, engine)) {
    const { pg } = statement;
    if (engine) return onPgPool(db, async (conn) => (await conn.query({ name: pg.pgName, text: pg.pgText, values })).rows);
    return ((await db.raw(pg.sql, values as HotValue[])) as { rows: Row[] }).rows;
  }
  return (await db.raw(statement.sqlite.sql, values as HotValue[])) as Row[];
}

/** The first row the statement answers, if any. */
export async function hotFirst(
  db: Knex,
  statement: { sqlite: HotStatement; pg: HotStatement },
  values: readonly HotValue[],
): Promise<Row | undefined> {
  const sqlite = freeSqliteConnection(engines.get(db));
  if (sqlite) return sqlite.prepare(statement.sqlite.sql).get(values);
  return (await hotRows(db, statement, values))[0];
}

/** A statement that hotFirstValues runs: one SQL expression per value (per engine, in the same order), then the rest
 * of the query (`from … where …`). SQLite answers the values as a raw row. PostgreSQL answers them as one JSON array
 * (json_build_array): pg describes and sets up a parser for every column of every answer anew, which for the session
 * lookup's 23 values cost more of the process's CPU than the rest of the query's handling (bench/README.md). So the
 * values must be what JSON carries unchanged: text, integers below 2^53 (every time here is milliseconds), booleans,
 * JSON; at most 100 of them (PostgreSQL's limit on a function's arguments). */
export interface ValuesStatement {
  readonly sqlite: HotStatement;
  readonly pg: HotStatement;
  readonly valuesAsJson: true;
}

export function hotValuesStatement(select: { sqlite: readonly string[]; pg: readonly string[] }, rest: string): ValuesStatement {
  // Aliased on SQLite: the path through Knex builds an object of the row and reads its values in order, which needs
  // distinct names.
  const statement = hotStatement({
    sqlite: `select ${select.sqlite.map((expression, i) => `${expression} as v${i}`).join(', ')} ${rest}`,
    pg: `select json_build_array(${select.pg.join(', ')}) as v ${rest}`,
  });
  return { ...statement, valuesAsJson: true };
}

/** The first row the statement answers as its values in select order, if any. No object is built for the row: for
 * the session lookup's 23 values that took longer than running the statement (bench/README.md). */
export async function hotFirstValues(db: Knex, statement: ValuesStatement, values: readonly HotValue[]): Promise<unknown[] | undefined> {
  const engine = engines.get(db);
  const sqlite = freeSqliteConnection(engine);
  if (sqlite) {
    // The prepared statement is shared with Knex (db.ts caches statements by text): back to objects straight after.
    const prepared = sqlite.prepare(statement.sqlite.sql).raw(true);
    try {
      return prepared.get(values) as unknown[] | undefined;
    } finally {
      prepared.raw(false);
    }
  }
  if (engine && isPg(db, engine)) {
    const { pg } = statement;
    const row = await onPgPool(
      db,
      async (conn) => (await conn.query({ name: pg.pgName, text: pg.pgText, values, rowMode: 'array' })).rows[0] as unknown[] | undefined,
    );
    return row?.[0] as unknown[] | undefined;
  }
  const row = (await hotRows(db, statement, values))[0];
  if (!row) return undefined;
  return isPg(db, engine) ? (row.v as unknown[]) : Object.values(row);
}

/** Runs a write (no RETURNING); answers the rows it changed. */
export async function hotRun(
  db: Knex,
  statement: { sqlite: HotStatement; pg: HotStatement },
  values: readonly HotValue[],
): Promise<number> {
  const engine = engines.get(db);
  const sqlite = freeSqliteConnection(engine);
  if (sqlite) return sqlite.prepare(statement.sqlite.sql).run(values).changes;
  if (isPg(db, engine)) {
    const { pg } = statement;
    if (engine) return onPgPool(db, async (conn) => (await conn.query({ name: pg.pgName, text: pg.pgText, values })).rowCount ?? 0);
    return ((await db.raw(pg.sql, values as HotValue[])) as { rowCount: number | null }).rowCount ?? 0;
  }
  return ((await db.raw(statement.sqlite.sql, values as HotValue[])) as { changes: number }).changes;
}
