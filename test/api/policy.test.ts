// The account 2FA policy through HTTP: enforcement at login, owners without 2FA, loosening by emailed code,
// trusted devices against newer requirements, validation and the impact preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { generateTotp } from '../../shared/totp.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

const policyOf = async (token: string, accountId: string) =>
  (await f.call('GET', `${f.base(accountId)}/security/2fa-policy`, { token })).body;

describe('enforcement', () => {
  // Attack: second step skipped by a member who never set 2FA up.
  it('enforce=all: login answers setup_required; a method outside the policy is 422; verifying the first method signs in', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const set = await f.setPolicy(owner.token, owner.accountId, { enforce: 'all', allowedMethods: ['totp', 'email'] });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      enforce: 'all',
      allowedMethods: ['totp', 'email'],
      rememberDeviceDays: 30,
      enforceOutsideIpRanges: [],
    });
    expect(f.emailsTo(member.email).at(-1)!.body).toContain('requires two-factor authentication');

    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password } });
    expect(login.body).toMatchObject({
      status: 'setup_required',
      allowedMethods: ['totp', 'email'],
      requiredBy: [{ accountId: owner.accountId, accountName: expect.any(String), reason: 'enforced_for_all' }],
    });
    expect(login.body.session).toBeUndefined();
    const token = login.body.challengeId as string;
    const sms = await f.call('POST', '/api/v1/me/2fa/sms', { token, body: { phone: '+61412345678' } });
    expect(sms.status).toBe(422);
    expect(sms.body.error.code).toBe('method_not_allowed_by_policy');
    // Attack: the setup challenge id used as a session.
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token })).status).toBe(401);
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token });
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(verify.status).toBe(200);
    expect(verify.body.status).toBe('authenticated');
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: verify.body.session.token })).status).toBe(200);
    // The session from before the requirement has to enrol too (it is the same user, now enrolled: it passes).
    app.clock.advance(30_000);
  });

  it('enforce=admins covers owners and admins, not members; an exempt range spares logins from inside it only', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'admins' })).status).toBe(200);
    const loginOf = (u: { email: string; password: string }) =>
      f.call('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
    expect((await loginOf(admin)).body.status).toBe('setup_required');
    expect((await loginOf(member)).body.status).toBe('authenticated');
    // The test server sees 127.0.0.1: a range covering it exempts the admin from enforce (a tightening elsewhere is not needed).
    await f.reauth(owner.token);
    const exempt = await f.setPolicy(owner.token, owner.accountId, { enforceOutsideIpRanges: ['127.0.0.0/8'] });
    expect(exempt.status).toBe(202); // exempting logins loosens: it waits for the code
    const ok = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
      token: owner.token,
      body: { confirmationId: exempt.body.confirmationId, code: app.lastCode(owner.email, 'email') },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.enforceOutsideIpRanges).toEqual(['127.0.0.0/8']);
    expect((await loginOf(admin)).body.status).toBe('authenticated');
    // Narrowing the range to one that does not hold 127.0.0.1 tightens: at once.
    const narrow = await f.setPolicy(owner.token, owner.accountId, { enforceOutsideIpRanges: ['127.1.0.0/16'] });
    expect(narrow.status).toBe(200);
    expect((await loginOf(admin)).body.status).toBe('setup_required');
  });

  // Attack: a device trusted before the account required 2FA skipping the new requirement.
  it('a trusted device does not skip a requirement added after it was trusted', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const { secret } = await f.enrolTotp(member.token);
    const first = await f.signInWithTotp({ email: member.email, secret }, { rememberDevice: true });
    const deviceToken = first.deviceToken!;
    const withDevice = () =>
      f.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password, deviceToken } });
    expect((await withDevice()).body.status).toBe('authenticated');
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' })).status).toBe(200);
    expect((await withDevice()).body.status).toBe('challenge');
    // A device trusted after the requirement began does skip it.
    const second = await f.signInWithTotp({ email: member.email, secret }, { rememberDevice: true });
    const again = await f.call('POST', '/api/v1/auth/login', {
      body: { email: member.email, password: member.password, deviceToken: second.deviceToken },
    });
    expect(again.body.status).toBe('authenticated');
  });

  it('a shorter rememberDeviceDays shortens trusted devices at once', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const { secret } = await f.enrolTotp(member.token);
    const { deviceToken } = await f.signInWithTotp({ email: member.email, secret }, { rememberDevice: true });
    expect((await f.setPolicy(owner.token, owner.accountId, { rememberDeviceDays: 1 })).status).toBe(200);
    app.clock.advance(25 * 60 * 60_000);
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password, deviceToken } });
    expect(login.body.status).toBe('challenge');
  });
});

describe('owners without 2FA', () => {
  // Attack: an owner locking every owner out by enforcing 2FA nobody can pass.
  it('enforce all or admins while an owner has no 2FA: 409 owners_without_2fa naming them', async () => {
    const owner = await f.signup({ name: 'Plain Owner' });
    const token = await f.login(owner);
    for (const enforce of ['all', 'admins']) {
      const r = await f.setPolicy(token, owner.accountId, { enforce });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('owners_without_2fa');
      expect(r.body.error.owners).toEqual([{ userId: owner.id, email: owner.email, name: 'Plain Owner' }]);
    }
    expect((await policyOf(token, owner.accountId)).enforce).toBe('off');
    await f.enrolTotp(token);
    const second = await f.addMember(token, owner.accountId, 'owner', 'Second Owner');
    const r = await f.setPolicy(token, owner.accountId, { enforce: 'all' });
    expect(r.body.error.owners).toEqual([{ userId: second.id, email: second.email, name: 'Second Owner' }]);
    // Allowing only methods an owner lacks blocks too.
    await f.enrolTotp(second.token);
    expect((await f.setPolicy(token, owner.accountId, { enforce: 'all', allowedMethods: ['email'] })).body.error.code).toBe(
      'owners_without_2fa',
    );
    expect((await f.setPolicy(token, owner.accountId, { enforce: 'all' })).status).toBe(200);
  });
});

describe("loosening waits for the owner's emailed code", () => {
  /** An owner whose account exempts 10.0.0.0/8 (itself a loosening, confirmed) and is otherwise strict. */
  async function strictAccount(tighten: Record<string, unknown> = { enforce: 'all', allowedMethods: ['totp'], rememberDeviceDays: 7 }) {
    const owner = await f.ownerWithTotp();
    const exempt = await f.setPolicy(owner.token, owner.accountId, { enforceOutsideIpRanges: ['10.0.0.0/8'] });
    expect(exempt.status).toBe(202);
    expect((await confirm(owner, exempt.body.confirmationId, app.lastCode(owner.email, 'email'))).status).toBe(200);
    const set = await f.setPolicy(owner.token, owner.accountId, tighten);
    expect(set.status).toBe(200);
    return owner;
  }
  const confirm = (owner: { token: string; accountId: string }, confirmationId: string, code: string) =>
    f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, { token: owner.token, body: { confirmationId, code } });

  it.each([
    ['lower enforce', { enforce: 'admins' }],
    ['turning it off', { enforce: 'off' }],
    ['more methods', { allowedMethods: ['totp', 'sms'] }],
    ['a longer remember period', { rememberDeviceDays: 30 }],
    ['an added range', { enforceOutsideIpRanges: ['10.0.0.0/8', '192.168.0.0/16'] }],
    ['a widened range', { enforceOutsideIpRanges: ['10.0.0.0/7'] }],
    ['a loosening mixed with a tightening', { enforce: 'admins', rememberDeviceDays: 1 }],
  ])('%s: 202, nothing changes until the code', async (_what, change) => {
    // Attack: a hijacked owner session quietly weakening the account's 2FA.
    const owner = await strictAccount();
    const before = await policyOf(owner.token, owner.accountId);
    const r = await f.setPolicy(owner.token, owner.accountId, change);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ confirmationId: expect.any(String), sentTo: expect.stringContaining('@') });
    expect(await policyOf(owner.token, owner.accountId)).toEqual(before);
    const ok = await confirm(owner, r.body.confirmationId, app.lastCode(owner.email, 'email'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject(change);
  });

  it.each([
    ['higher enforce', { enforce: 'all' }, 'admins'],
    ['fewer methods', { allowedMethods: ['totp'] }, 'off'],
    ['a shorter remember period', { rememberDeviceDays: 1 }, 'off'],
    ['a narrowed range', { enforceOutsideIpRanges: ['10.1.0.0/16'] }, 'off'],
    ['a removed range', { enforceOutsideIpRanges: [] }, 'off'],
  ])('%s applies at once (200)', async (_what, change, enforce) => {
    const owner = await strictAccount({ enforce });
    const r = await f.setPolicy(owner.token, owner.accountId, change);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject(change);
  });

  it('confirming applies it, notifies every owner, audits request/confirm/change, and works once', async () => {
    const owner = await strictAccount({});
    const other = await f.addMember(owner.token, owner.accountId, 'owner', 'Other Owner');
    await f.enrolTotp(other.token);
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' })).status).toBe(200);
    const before = f.emailsTo(other.email).length;
    const r = await f.setPolicy(owner.token, owner.accountId, { enforce: 'off' });
    expect(
      f
        .emailsTo(other.email)
        .slice(before)
        .filter((m) => m.code),
    ).toEqual([]); // the code goes to the requesting owner only
    // Attack: another owner (or anyone) confirming with a code they did not receive.
    expect(
      (await confirm({ token: other.token, accountId: owner.accountId }, r.body.confirmationId, app.lastCode(owner.email, 'email'))).status,
    ).toBe(404);
    const code = app.lastCode(owner.email, 'email');
    expect((await confirm(owner, r.body.confirmationId, code)).body.enforce).toBe('off');
    expect(f.emailsTo(other.email).at(-1)!.subject).toContain('loosened');
    expect(f.emailsTo(owner.email).at(-1)!.subject).toContain('loosened');
    // Attack: confirmation replay.
    const again = await confirm(owner, r.body.confirmationId, code);
    expect(again.status).toBe(410);
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=policy.`, { token: owner.token });
    expect(events.body.events.map((e: any) => e.type).slice(0, 4)).toEqual([
      'policy.changed',
      'policy.confirmed',
      'policy.change_requested',
      'policy.changed',
    ]);
    expect(JSON.stringify(events.body)).not.toContain(code);
  });

  // Attack: guessing the 6-digit confirmation code.
  it('a wrong code is 401; the fifth wrong code spends the confirmation (429), even for the right code after', async () => {
    const owner = await strictAccount();
    const r = await f.setPolicy(owner.token, owner.accountId, { enforce: 'off' });
    const code = app.lastCode(owner.email, 'email');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const a = await confirm(owner, r.body.confirmationId, wrong);
      expect(a.status).toBe(401);
      expect(a.body.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: 5 - i });
    }
    const fifth = await confirm(owner, r.body.confirmationId, wrong);
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toBeTruthy();
    expect((await confirm(owner, r.body.confirmationId, code)).status).toBe(429);
    expect((await policyOf(owner.token, owner.accountId)).enforce).toBe('all');
  });

  // Attack: the same confirmation raced to apply twice (or to beat the attempt cap).
  it('concurrent confirmations: exactly one applies; concurrent wrong guesses never exceed the cap', async () => {
    const owner = await strictAccount();
    const r = await f.setPolicy(owner.token, owner.accountId, { enforce: 'off' });
    const code = app.lastCode(owner.email, 'email');
    const answers = await Promise.all(Array.from({ length: 8 }, () => confirm(owner, r.body.confirmationId, code)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 500)).toEqual([]);
    const again = await strictAccount();
    const g = await f.setPolicy(again.token, again.accountId, { enforce: 'off' });
    const right = app.lastCode(again.email, 'email');
    const wrong = right === '000000' ? '111111' : '000000';
    const guesses = await Promise.all(Array.from({ length: 20 }, () => confirm(again, g.body.confirmationId, wrong)));
    expect(guesses.filter((a) => a.status === 401).length).toBeLessThanOrEqual(4);
    const row = await app.deps.db('policy_confirmations').where({ id: g.body.confirmationId }).first();
    expect(Number(row.attempts)).toBe(5);
  });

  it('the code expires after 10 minutes; a newer request replaces a pending one', async () => {
    const owner = await strictAccount();
    const r = await f.setPolicy(owner.token, owner.accountId, { enforce: 'off' });
    const code = app.lastCode(owner.email, 'email');
    app.clock.advance(10 * 60_000 + 1);
    expect((await confirm(owner, r.body.confirmationId, code)).status).toBe(410);
    expect((await policyOf(owner.token, owner.accountId)).enforce).toBe('all');
    await f.reauth(owner.token);
    const first = await f.setPolicy(owner.token, owner.accountId, { enforce: 'off' });
    const firstCode = app.lastCode(owner.email, 'email');
    const second = await f.setPolicy(owner.token, owner.accountId, { enforce: 'admins' });
    expect((await confirm(owner, first.body.confirmationId, firstCode)).status).toBe(410);
    expect((await confirm(owner, second.body.confirmationId, app.lastCode(owner.email, 'email'))).body.enforce).toBe('admins');
  });

  it('needs an owner with a fresh reauth', async () => {
    const owner = await strictAccount({});
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    await f.enrolTotp(admin.token);
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' })).status).toBe(200);
    expect((await f.setPolicy(admin.token, owner.accountId, { enforce: 'off' })).status).toBe(403);
    app.clock.advance(11 * 60_000);
    const stale = await f.setPolicy(owner.token, owner.accountId, { rememberDeviceDays: 1 });
    expect(stale.body.error.code).toBe('reauth_required');
  });
});

describe('validation and preview', () => {
  it('bad CIDRs and bad fields are 400 with the field; omitted fields keep their values; ranges are normalised', async () => {
    const owner = await f.ownerWithTotp();
    const bad = await f.setPolicy(owner.token, owner.accountId, { enforceOutsideIpRanges: ['10.0.0.0/33'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'enforceOutsideIpRanges' });
    // SMS alone is refused: it is a restricted authenticator, so the app must be allowed alongside it.
    for (const body of [
      { allowedMethods: [] },
      { allowedMethods: ['carrier_pigeon'] },
      { allowedMethods: ['sms'] },
      { allowedMethods: ['sms', 'email'] },
      { enforce: 'sometimes' },
      { rememberDeviceDays: 61 },
      { rememberDeviceDays: -1 },
    ]) {
      expect((await f.setPolicy(owner.token, owner.accountId, body)).status).toBe(400);
    }
    const ip = await f.call('PUT', `${f.base(owner.accountId)}/security/ip-rules`, {
      token: owner.token,
      body: { apiAllowedRanges: ['not-a-range'] },
    });
    expect(ip.body.error).toMatchObject({ code: 'invalid_request', field: 'apiAllowedRanges' });
    const r = await f.setPolicy(owner.token, owner.accountId, { rememberDeviceDays: 14 });
    expect(r.body).toMatchObject({
      enforce: 'off',
      allowedMethods: ['totp', 'sms', 'email'],
      rememberDeviceDays: 14,
      enforceOutsideIpRanges: [],
    });
    const ranges = await f.setPolicy(owner.token, owner.accountId, { enforceOutsideIpRanges: ['2001:DB8:0:0::/32'] });
    await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
      token: owner.token,
      body: { confirmationId: ranges.body.confirmationId, code: app.lastCode(owner.email, 'email') },
    });
    expect((await policyOf(owner.token, owner.accountId)).enforceOutsideIpRanges).toEqual(['2001:db8::/32']);
  });

  it('preview names who would be asked to set up and which owners block, and changes nothing', async () => {
    const owner = await f.signup({ name: 'Bare Owner' });
    const token = await f.login(owner);
    const admin = await f.addMember(token, owner.accountId, 'admin', 'Ada Admin');
    const member = await f.addMember(token, owner.accountId, 'member', 'Max Member');
    const p = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/preview`, {
      token: admin.token,
      body: { enforce: 'admins' },
    });
    expect(p.status).toBe(200);
    expect(p.body.needsConfirmation).toBe(false);
    expect(p.body.ownersWithout2fa).toEqual([{ userId: owner.id, email: owner.email, name: 'Bare Owner' }]);
    expect(p.body.membersToSetUp.map((m: any) => m.userId).sort()).toEqual([owner.id, admin.id].sort());
    expect(p.body.membersToSetUp.map((m: any) => m.userId)).not.toContain(member.id);
    expect((await policyOf(token, owner.accountId)).enforce).toBe('off');
    const loosen = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/preview`, {
      token: admin.token,
      body: { rememberDeviceDays: 60 },
    });
    expect(loosen.body).toMatchObject({ needsConfirmation: true, loosened: ['rememberDeviceDays'] });
  });

  it('raising enforce emails only the members it newly asks to set up', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const enrolled = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(enrolled.token);
    const count = (email: string) => f.emailsTo(email).filter((m) => m.subject?.includes('requires two-factor')).length;
    await f.setPolicy(owner.token, owner.accountId, { enforce: 'admins' });
    expect([count(admin.email), count(member.email)]).toEqual([1, 0]);
    await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' });
    expect([count(admin.email), count(member.email), count(enrolled.email), count(owner.email)]).toEqual([1, 1, 0, 0]);
  });
});
