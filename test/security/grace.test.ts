// Grace periods as an attacker would try them: to skip a second factor the user already has, to keep a password-only
// session past the due date, to stretch a grace through a change that should never restart it or without the
// emailed confirmation, and to fall back into a grace by a reset or by turning 2FA off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { PASSWORD } from '../support/factories.ts';
import { generateTotp } from '../../shared/totp.ts';

const DAY = 24 * 60 * 60_000;
let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

type Owner = Awaited<ReturnType<ReturnType<typeof accountFactories>['ownerWithTotp']>>;
const loginOf = (email: string, extra: Record<string, unknown> = {}) =>
  f.call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, ...extra } });

async function changePolicy(owner: Owner, body: Record<string, unknown>): Promise<number> {
  const put = await f.setPolicy(owner.token, owner.accountId, body);
  if (put.status === 202) {
    const ok = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
      token: owner.token,
      body: { confirmationId: put.body.confirmationId, code: app.lastCode(owner.email, 'email') },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  } else expect(put.status, JSON.stringify(put.body)).toBe(200);
  return app.clock.now();
}

async function signInOwner(owner: Owner): Promise<void> {
  owner.token = (await f.signInWithTotp(owner)).session.token;
}

describe('grace periods', () => {
  // Attack: a password alone passes a login because the account gives a grace period, though the user has 2FA.
  it('a login never skips a method the user has: the challenge comes first, grace or not', async () => {
    const owner = await f.ownerWithTotp();
    const withApp = await f.addMember(owner.token, owner.accountId, 'member');
    const { secret } = await f.enrolTotp(withApp.token);
    const withEmail = await f.addMember(owner.token, owner.accountId, 'member');
    await f.call('POST', '/api/v1/me/2fa/email', { token: withEmail.token });
    expect(
      (
        await f.call('POST', '/api/v1/me/2fa/email/verify', {
          token: withEmail.token,
          body: { code: app.lastCode(withEmail.email, 'email') },
        })
      ).status,
    ).toBe(200);
    const start = await changePolicy(owner, { enforce: 'all', allowedMethods: ['totp'], gracePeriodDays: 7 });

    const app1 = await loginOf(withApp.email);
    expect(app1.body.status).toBe('challenge');
    expect(app1.body.session).toBeUndefined();
    // Email is not allowed any more, but it is this user's factor: it is still asked for, and only then the grace applies.
    const email1 = await loginOf(withEmail.email);
    expect(email1.body).toMatchObject({ status: 'challenge', methods: ['email', 'backup_code', 'recovery_code'] });
    expect(email1.headers.get('set-cookie')).toBeNull();
    await f.call('POST', `/api/v1/auth/challenge/${email1.body.challengeId}/send`, { body: { method: 'email' } });
    const passed = await f.call('POST', `/api/v1/auth/challenge/${email1.body.challengeId}/verify`, {
      body: { method: 'email', code: app.lastCode(withEmail.email, 'email') },
    });
    expect(passed.body.status).toBe('authenticated');
    const session = await f.call('GET', '/api/v1/session', { token: passed.body.session.token });
    expect(session.body).toMatchObject({ twoFactorSetupRequired: false, twoFactorSetupDueBy: new Date(start + 7 * DAY).toISOString() });
    expect((await f.signInWithTotp({ email: withApp.email, secret })).session.token).toEqual(expect.any(String));
  });

  // Attack: a session started without 2FA during the grace keeps full access after the due date (web and dialer).
  it('a set-up-later session does not outlive the due date: every route but enrolment refuses it from then on', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const start = await changePolicy(owner, { enforce: 'all', gracePeriodDays: 2 });
    app.clock.set(start + 2 * DAY - 5 * 60_000);
    const web = (await loginOf(member.email)).body.session.token as string;
    const dialer = (await loginOf(member.email, { client: 'dialer' })).body.session.token as string;
    for (const token of [web, dialer]) expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token })).status).toBe(200);

    app.clock.set(start + 2 * DAY);
    for (const token of [web, dialer]) {
      for (const [method, path, body] of [
        ['GET', `${f.base(owner.accountId)}/calls`],
        ['POST', `${f.base(owner.accountId)}/calls`, { to: '+61412345678' }],
        ['GET', '/api/v1/me/sessions'],
        ['GET', '/api/v1/me/devices'],
        ['PUT', '/api/v1/me/2fa/preferred', { method: 'totp' }],
      ] as const) {
        const r = await f.call(method, path, { token, body });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body.error.code).toBe('2fa_setup_required');
      }
      expect((await f.call('GET', '/api/v1/session', { token })).body).toMatchObject({
        twoFactorSetupRequired: true,
        twoFactorSetupDueBy: null,
      });
    }
    // A client that claims it chose "set up later" changes nothing.
    expect((await loginOf(member.email, { setupLater: true, twoFactorSetupDueBy: '2099-01-01T00:00:00Z' })).body.status).toBe(
      'setup_required',
    );
    // What is left is enrolment, which ends the matter.
    const begin = await f.call('POST', '/api/v1/me/2fa/totp', { token: web });
    expect(begin.status).toBe(200);
    expect(
      (await f.call('POST', '/api/v1/me/2fa/totp/verify', { token: web, body: { code: generateTotp(begin.body.secret, app.clock.now()) } }))
        .status,
    ).toBe(200);
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: web })).status).toBe(200);
    // Turning 2FA on ended the dialer's password-only session.
    expect((await f.call('GET', '/api/v1/session', { token: dialer })).status).toBe(401);
  });

  // Attack: an owner (or a stolen owner session) gives overdue members a new grace through a change that applies
  // at once (200): raising `admins` to `all`, or removing an exempt range.
  it('a tightening requires nothing new of overdue members, so it gives them no new grace', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await changePolicy(owner, { enforce: 'admins', gracePeriodDays: 3 });
    await changePolicy(owner, { enforceOutsideIpRanges: ['10.0.0.0/8'] });
    app.clock.advance(4 * DAY);
    expect((await loginOf(admin.email)).body.status).toBe('setup_required');
    await signInOwner(owner);

    const raised = await f.setPolicy(owner.token, owner.accountId, { enforce: 'all', enforceOutsideIpRanges: [] });
    expect(raised.status).toBe(200);
    expect((await loginOf(admin.email)).body.status).toBe('setup_required');
    // Members are newly covered: theirs begins now.
    expect((await loginOf(member.email)).body).toMatchObject({
      status: 'authenticated',
      twoFactorSetupDueBy: new Date(app.clock.now() + 3 * DAY).toISOString(),
    });
  });

  // Attack: a longer grace written without the owner's emailed code (a stolen session, a forged request).
  it('lengthening the grace never applies without the emailed code', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await changePolicy(owner, { enforce: 'all', gracePeriodDays: 1 });
    app.clock.advance(2 * DAY);
    await signInOwner(owner);
    const put = await f.setPolicy(owner.token, owner.accountId, { gracePeriodDays: 30 });
    expect(put.status).toBe(202);
    const wrong = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
      token: owner.token,
      body: { confirmationId: put.body.confirmationId, code: '000000' },
    });
    expect(wrong.status).toBe(401);
    expect((await f.call('GET', `${f.base(owner.accountId)}/security/2fa-policy`, { token: owner.token })).body.gracePeriodDays).toBe(1);
    expect((await loginOf(member.email)).body.status).toBe('setup_required');
  });

  // Attack: a member with 2FA gets it reset by an admin, or turns it off, to sign in on a password alone during a grace.
  it('a reset or turning 2FA off never buys a grace: the requirement began long before', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(member.token);
    await changePolicy(owner, { enforce: 'all', gracePeriodDays: 30 });
    // Satisfied members cannot turn it off: the requirement stands, grace or not.
    await f.reauth(member.token);
    expect((await f.call('DELETE', '/api/v1/me/2fa', { token: member.token })).body.error.code).toBe('2fa_required_by_account');
    expect((await f.call('DELETE', '/api/v1/me/2fa/totp', { token: member.token })).body.error.code).toBe('2fa_required_by_account');

    app.clock.advance(31 * DAY);
    await signInOwner(owner);
    expect((await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/2fa/reset`, { token: owner.token })).status).toBe(204);
    expect((await loginOf(member.email)).body.status).toBe('setup_required');
  });
});
