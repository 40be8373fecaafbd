// How Twofold's SQLite writes: the one list, applied to every connection by createDb (db.ts), and by the bench's
// ceiling and peer (bench/servers/) so that all three write on the same terms.
// - WAL: readers never wait for the writer. NORMAL: a commit is not synced (the log is, at each checkpoint), so a
//   power cut may lose the last commits but never corrupts the file.
// - Checkpoints (the log copied back into the file, which is then synced) every 4000 pages, 16 MB of log, instead of
//   SQLite's 1000: a sign-in's writes touch the same pages again and again (the user's row three times, the
//   challenge's twice, the sessions' indexes), and a rarer checkpoint copies each page once. In a loop of session
//   inserts each cost about a quarter less; the longest one, the insert that ran the checkpoint, went from about 12
//   to about 23 ms (bench/README.md).
export const SQLITE_WRITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'wal_autocheckpoint = 4000'] as const;
