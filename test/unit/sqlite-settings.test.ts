// Every SQLite connection createDb opens carries Twofold's settings (api/db/sqlite-settings.ts): how it writes, how
// much it caches, foreign keys, and how long it waits for a lock.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../api/db/db.ts';

let dir: string | undefined;
let db: Db | undefined;
afterEach(async () => {
  await db?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("createDb's SQLite connection", () => {
  it('writes ahead to a log checkpointed every 4000 pages, unsynced per commit, with a 2,000 KiB page cache', async () => {
    dir = mkdtempSync(join(tmpdir(), 'twofold-sqlite-settings-'));
    db = createDb({ client: 'sqlite', filename: join(dir, 'twofold.sqlite') });
    const pragma = async (name: string) => Object.values(((await db!.raw(`pragma ${name}`)) as Record<string, unknown>[])[0]!)[0];
    expect({
      journal_mode: await pragma('journal_mode'),
      synchronous: await pragma('synchronous'),
      wal_autocheckpoint: await pragma('wal_autocheckpoint'),
      cache_size: await pragma('cache_size'),
      foreign_keys: await pragma('foreign_keys'),
      busy_timeout: await pragma('busy_timeout'),
    }).toEqual({ journal_mode: 'wal', synchronous: 1, wal_autocheckpoint: 4000, cache_size: -2000, foreign_keys: 1, busy_timeout: 5000 });
  });
});
