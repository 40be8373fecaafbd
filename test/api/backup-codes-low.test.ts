// Running low on backup codes: a use (to sign in, or to confirm it is you) that leaves 3 or fewer emails the user and
// is audited; GET /me/2fa answers `backupCodes.low`; the sign-in answer says how many remain; new codes clear it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';
import { normaliseBackupCode } from '../../api/factors/backup-codes.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  app = await startTestApp();
  f = factories(app);
});
afterAll(() => app.close());

const lowEmails = (to: string) => app.outbox().filter((m) => m.channel === 'email' && m.to === to && /backup code/.test(m.subject ?? ''));

async function signInWithBackupCode(email: string, code: string) {
  const { challengeId } = await f.startChallenge({ email });
  return f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'backup_code', code } });
}

describe('low backup codes', () => {
  it('warns by email from the use that leaves 3, says how many remain, and shows low in GET /me/2fa until new codes', async () => {
    const user = await f.userWithTotp();
    const codes = [...user.backupCodes];
    let token = '';
    for (let used = 1; used <= 6; used++) {
      const r = await signInWithBackupCode(user.email, codes.shift()!);
      expect(r.body.backupCodesRemaining).toBe(10 - used);
      token = r.body.session.token;
    }
    expect(lowEmails(user.email)).toEqual([]);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.backupCodes).toEqual({ remaining: 4, low: false });

    const seventh = await signInWithBackupCode(user.email, codes.shift()!);
    expect(seventh.body.backupCodesRemaining).toBe(3);
    token = seventh.body.session.token;
    const warning = lowEmails(user.email);
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatchObject({ subject: 'You have 3 backup codes left for Twofold', code: null });
    expect(warning[0]!.body).toContain(`${app.url}/security`);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.backupCodes).toEqual({ remaining: 3, low: true });
    const audit = await f.call('GET', `/api/v1/accounts/${user.accountId}/audit-events?type=backup_codes.low`, { token });
    expect(audit.body.events).toEqual([expect.objectContaining({ subjectUserId: user.id, detail: { remaining: 3 } })]);

    // Confirming it is you with a backup code is a use too.
    const reauth = await f.call('POST', '/api/v1/auth/reauth', { token, body: { method: 'backup_code', code: codes.shift()! } });
    expect(reauth.status).toBe(200);
    expect(lowEmails(user.email).at(-1)!.subject).toBe('You have 2 backup codes left for Twofold');

    const fresh = await f.call('POST', '/api/v1/me/2fa/backup-codes', { token });
    expect(fresh.body.remaining).toBe(10);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.backupCodes).toEqual({ remaining: 10, low: false });
  });

  it('the last code: "no backup codes left"', async () => {
    const user = await f.userWithTotp();
    // Nine codes spent earlier (marked used as consumeBackupCode would), the tenth now.
    const hashes = user.backupCodes.slice(0, 9).map((c) => app.deps.secrets.keyedHash(`backup:${user.id}:${normaliseBackupCode(c)}`));
    await app.deps.db('backup_codes').where({ user_id: user.id }).whereIn('code_hash', hashes).update({ used_at: app.clock.now() });
    const last = await signInWithBackupCode(user.email, user.backupCodes[9]!);
    expect(last.body.backupCodesRemaining).toBe(0);
    expect(lowEmails(user.email).map((m) => m.subject)).toEqual(['You have no backup codes left for Twofold']);
  });

  it('a user without 2FA is never low', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    expect((await f.call('GET', '/api/v1/me/2fa', { token })).body.backupCodes).toEqual({ remaining: 0, low: false });
  });
});

// Password only is not a backup-code use: nothing to warn about.
it('a password reauth sends no backup-code warning', async () => {
  const user = await f.userWithTotp();
  await f.call('POST', '/api/v1/auth/reauth', { token: user.token, body: { password: PASSWORD } });
  expect(lowEmails(user.email)).toEqual([]);
});
