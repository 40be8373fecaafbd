// The SQL of Twofold's TOTP verify, statement by statement in the order it runs them, as they reach better-sqlite3
// (each from its records module: challenges.ts, lockout.ts, factors.ts, totp.ts, users.ts, sessions.ts, which keep
// them private). bench/servers/verify-ceiling.ts runs exactly these; test/api/hot-path.test.ts traces a verify and
// fails when Twofold's statements and these part ways, so the bare endpoint keeps doing Twofold's work.
export const VERIFY_SQL = {
  /** The challenge, with its user's lock. */
  challenge:
    'select c.id, c.token_hash, c.user_id, c.kind, c.methods, c.client, c.ip, c.user_agent, c.attempts, c.created_at, c.expires_at, c.completed_at, u.code_locked_until as user_code_locked_until, u.failed_code_total as user_failed_code_total from challenges c join users u on u.id = c.user_id where c.token_hash = ? limit 1',
  /** An attempt of the challenge reserved. */
  reserve:
    'update challenges set attempts = attempts + 1 where id = ? and completed_at is null and expires_at > ? and attempts < ? returning attempts',
  /** One of the user's reserved (the lockout). */
  reserveUser:
    'update users set failed_code_streak = failed_code_streak + 1, failed_code_total = failed_code_total + 1 where id = ? and failed_code_streak < ? and failed_code_total < ? and (code_locked_until is null or code_locked_until <= ?)',
  /** The sealed seed. */
  factor:
    'select user_id, method, enabled_at, secret_sealed, pending_secret_sealed, destination, pending_destination, updated_at from factors where user_id = ? and method = ? limit 1',
  /** The step accepted (replay guard). */
  acceptStep: 'update users set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)',
  /** The user's counters cleared. */
  clearUser: 'update users set failed_code_streak = 0, failed_code_total = 0, code_locked_until = null where id = ?',
  /** The challenge completed. */
  complete: 'update challenges set completed_at = ? where id = ? and completed_at is null',
  /** The user, for the answer. */
  user: 'select id, email, name, password_hash, created_at, preferred_method, previous_phone, backup_codes_sealed, failed_code_streak, failed_code_total, code_locked_until, totp_last_step, email_verified_at, managed_by_account_id from users where id = ? limit 1',
  /** The session. */
  insertSession:
    'insert into sessions (id, token_hash, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at, reauth_until, clients, ip, user_agent, ended_at, ended_reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
} as const;
