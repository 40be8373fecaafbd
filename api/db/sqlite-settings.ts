// How Twofold's SQLite writes: the one list, applied to every connection by createDb (db.ts), and by the bench's
// ceiling and peer (bench/servers/) so that all three write on the same terms. Then how much it caches.
// - WAL: readers never wait for the writer. NORMAL: a commit is not synced (the log is, at each checkpoint), so a
//   power cut may lose the last commits but never corrupts the file.
// - Checkpoints (the log copied back into the file, which is then synced) every 4000 pages, 16 MB of log, instead of
//   SQLite's 1000: a sign-in's writes touch the same pages again and again (the user's row three times, the
//   challenge's twice, the sessions' indexes), and a rarer checkpoint copies each page once. In a loop of session
//   inserts each cost about a quarter less; the longest one, the insert that ran the checkpoint, went from about 12
//   to about 23 ms (bench/README.md).
export const SQLITE_WRITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'wal_autocheckpoint = 4000'] as const;

/** SQLite's own default page cache, 2,000 KiB a connection, instead of the 16,000 better-sqlite3 compiles in. The
 * file's pages stay in the kernel's page cache either way. In the process, a 16 MB cache was most of the 11-13 MB that the
 * SQLite process held above the PostgreSQL one under verifies and sign-ins; at 2 MB it answered as many session
 * checks and verifies a second, with 5-11 MB less at those peaks (bench/README.md, 2026-12-05 night). The bench's ceiling and
 * peer keep better-sqlite3's 16 MB. */
export const SQLITE_CACHE_PRAGMA = 'cache_size = -2000';
