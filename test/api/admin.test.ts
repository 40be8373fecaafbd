// Account administration through HTTP: who may call what, members and roles, 2FA reset, recovery codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { uniqueEmail } from '../support/factories.ts';
import { generateTotp } from '../../shared/totp.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

describe('roles and tenancy for every administration call', () => {
  // Attack: a member or admin doing owner work, or a user of another account reaching this one.
  it('allows each call from its minimum role up, refuses lower roles (403) and non-members (404)', async () => {
    const owner = await f.ownerWithTotp();
    const A = owner.accountId;
    const admin = await f.addMember(owner.token, A, 'admin');
    const member = await f.addMember(owner.token, A, 'member');
    const target = await f.addMember(owner.token, A, 'member', 'Target');
    const outsider = await f.signup({ email: uniqueEmail('outsider') }); // owns another account
    const outsiderToken = await f.login(outsider);
    const otherOwner = await f.signup({ email: uniqueEmail('other') });
    const elsewhere = await f.addMember(await f.login(otherOwner), otherOwner.accountId, 'admin'); // admin of another account
    const callers = { owner: owner.token, admin: admin.token, member: member.token, outsider: outsiderToken, elsewhere: elsewhere.token };
    for (const token of Object.values(callers)) await f.reauth(token);

    const rank = { member: 0, admin: 1, owner: 2 } as const;
    const table: [string, string, 'member' | 'admin' | 'owner', unknown?][] = [
      ['GET', '/members', 'admin'],
      ['POST', '/members', 'admin', { email: uniqueEmail('invitee'), role: 'member' }],
      ['PUT', `/members/${target.id}`, 'admin', { require2fa: false }],
      ['PUT', `/members/${target.id}`, 'owner', { role: 'member' }],
      ['DELETE', '/members/no-such-user', 'owner'],
      ['POST', `/members/${target.id}/2fa/reset`, 'admin'],
      ['POST', `/members/${target.id}/recovery-code`, 'owner'],
      ['GET', '/security/2fa-policy', 'admin'],
      ['PUT', '/security/2fa-policy', 'owner', {}],
      ['POST', '/security/2fa-policy/confirm', 'owner', { confirmationId: 'nope', code: '123456' }],
      ['POST', '/security/2fa-policy/preview', 'admin', { enforce: 'all' }],
      ['GET', '/security/ip-rules', 'admin'],
      ['PUT', '/security/ip-rules', 'owner', { apiAllowedRanges: [] }],
      ['POST', '/api-keys', 'owner', { name: 'ci' }],
      ['GET', '/api-keys', 'admin'],
      ['DELETE', '/api-keys/no-such-key', 'owner'],
      ['GET', '/audit-events', 'admin'],
      ['GET', '/calls', 'member'],
      ['POST', '/calls', 'member', { to: '+61412345678' }],
    ];
    const outcomes: string[] = [];
    for (const [method, path, minRole, body] of table) {
      for (const [who, token] of Object.entries(callers)) {
        const r = await f.call(method, f.base(A) + path, { token, body });
        const got =
          r.status === 403 && r.body.error.code === 'forbidden'
            ? 'forbidden'
            : r.status === 404 && /not a member/.test(r.body.error.message)
              ? 'not_member'
              : r.status === 401 || r.status === 403
                ? `refused ${r.status} ${r.body.error.code}`
                : 'allowed';
        const expected =
          who === 'outsider' || who === 'elsewhere'
            ? 'not_member'
            : rank[who as keyof typeof rank] >= rank[minRole]
              ? 'allowed'
              : 'forbidden';
        outcomes.push(`${method} ${path} as ${who}: ${got === expected ? 'ok' : `expected ${expected}, got ${got} (${r.status})`}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(': ok'))).toEqual([]);
  });

  // Attack: the account id in the path swapped for one the caller does not belong to.
  it("an owner of account B cannot touch account A, even with A's member ids", async () => {
    const a = await f.ownerWithTotp();
    const b = await f.ownerWithTotp();
    const m = await f.addMember(a.token, a.accountId, 'member');
    const r = await f.call('PUT', `${f.base(a.accountId)}/members/${m.id}`, { token: b.token, body: { require2fa: true } });
    expect(r.status).toBe(404);
    const viaOwn = await f.call('PUT', `${f.base(b.accountId)}/members/${m.id}`, { token: b.token, body: { require2fa: true } });
    expect(viaOwn.status).toBe(404);
    const row = await app.deps.db('memberships').where({ account_id: a.accountId, user_id: m.id }).first();
    expect(Boolean(row.require_2fa)).toBe(false);
  });
});

describe('members', () => {
  it('lists members with their 2FA picture as this account sees it', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'admins' })).status).toBe(200);
    await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { require2fa: true } });
    const r = await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.map((m: any) => [m.userId, m]));
    expect(byId[owner.id]).toMatchObject({
      email: owner.email,
      role: 'owner',
      require2fa: false,
      twoFactor: { enabled: true, methods: ['totp'], required: true, requiredReason: 'enforced_for_admins', canReset: false },
    });
    expect(byId[admin.id].twoFactor).toMatchObject({
      enabled: false,
      methods: [],
      required: true,
      requiredReason: 'enforced_for_admins',
      canReset: false,
    });
    expect(byId[member.id]).toMatchObject({ require2fa: true, twoFactor: { required: true, requiredReason: 'required_for_member' } });
  });

  it("another account's requirement does not show as this account's reason", async () => {
    const a = await f.ownerWithTotp();
    const b = await f.ownerWithTotp();
    const shared = await f.addMember(a.token, a.accountId, 'member');
    await f.call('POST', `${f.base(b.accountId)}/members`, { token: b.token, body: { email: shared.email, role: 'member' } });
    await f.call('PUT', `${f.base(b.accountId)}/members/${shared.id}`, { token: b.token, body: { require2fa: true } });
    const r = await f.call('GET', `${f.base(a.accountId)}/members`, { token: a.token });
    expect(r.body.find((m: any) => m.userId === shared.id).twoFactor).toMatchObject({ required: false, requiredReason: null });
  });

  it('invites existing users and new people alike (nobody joins at once); only owners invite owners', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const existing = await f.signup();
    const invitedExisting = await f.call('POST', `${f.base(owner.accountId)}/members`, {
      token: admin.token,
      body: { email: existing.email.toUpperCase(), role: 'member' },
    });
    expect(invitedExisting.status).toBe(201);
    expect(invitedExisting.body).toEqual({
      invitation: { id: expect.any(String), email: existing.email, role: 'member', expiresAt: expect.any(String) },
    });
    const members = await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token });
    expect(members.body.map((m: any) => m.email)).not.toContain(existing.email);
    const email = uniqueEmail('new');
    const invited = await f.call('POST', `${f.base(owner.accountId)}/members`, { token: admin.token, body: { email, role: 'admin' } });
    expect(invited.status).toBe(201);
    expect(f.emailsTo(email).at(-1)!.body).toContain(`${app.url}/accept-invite#token=`);
    // Attack: an admin raising someone (or a confederate) to owner.
    const asOwner = await f.call('POST', `${f.base(owner.accountId)}/members`, {
      token: admin.token,
      body: { email: uniqueEmail('x'), role: 'owner' },
    });
    expect(asOwner.status).toBe(403);
    const pending = await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: admin.token });
    expect(pending.body.map((i: any) => i.email).sort()).toEqual([email, existing.email].sort());
    const audit = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=member.`, { token: owner.token });
    expect(audit.body.events.map((e: any) => e.type)).toEqual(['member.invited', 'member.invited', 'member.invited']);
  });

  it('role changes are for owners; the last owner cannot be demoted or removed', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    // Attack: an admin promoting themselves.
    const self = await f.call('PUT', `${f.base(owner.accountId)}/members/${admin.id}`, { token: admin.token, body: { role: 'owner' } });
    expect(self.status).toBe(403);
    // Attack: the last owner demoted, leaving an account nobody can administer.
    const demote = await f.call('PUT', `${f.base(owner.accountId)}/members/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
    expect(demote.status).toBe(409);
    const remove = await f.call('DELETE', `${f.base(owner.accountId)}/members/${owner.id}`, { token: owner.token });
    expect(remove.status).toBe(409);
    const promote = await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { role: 'owner' } });
    expect(promote.status).toBe(200);
    expect(promote.body).toMatchObject({ userId: member.id, role: 'owner' });
    const demoteNow = await f.call('PUT', `${f.base(owner.accountId)}/members/${owner.id}`, {
      token: owner.token,
      body: { role: 'admin' },
    });
    expect(demoteNow.status).toBe(200);
    const gone = await f.call('DELETE', `${f.base(owner.accountId)}/members/${admin.id}`, { token: member.token });
    expect(gone.status).toBe(204);
    expect((await f.call('GET', `${f.base(owner.accountId)}/members`, { token: admin.token })).status).toBe(404);
    expect((await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: {} })).status).toBe(400);
  });

  it('require2fa: audited, the member is emailed setup instructions, and a signed-in member must enrol at the next request', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.call('GET', '/api/v1/me/sessions', { token: member.token })).status).toBe(200);
    const r = await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: admin.token, body: { require2fa: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ require2fa: true, twoFactor: { required: true, requiredReason: 'required_for_member' } });
    expect(f.emailsTo(member.email).at(-1)!.body).toContain('requires two-factor authentication');
    // Attack: a session from before the requirement carrying on without 2FA.
    const next = await f.call('GET', '/api/v1/me/sessions', { token: member.token });
    expect(next.status).toBe(403);
    expect(next.body.error.code).toBe('2fa_setup_required');
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: member.token })).body.error.code).toBe('2fa_setup_required');
    expect((await f.call('GET', '/api/v1/me/2fa', { token: member.token })).body.required).toBe(true);
    // Enrolling ends the block for that same session.
    await f.enrolTotp(member.token);
    expect((await f.call('GET', '/api/v1/me/sessions', { token: member.token })).status).toBe(200);
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=member.require_2fa_changed`, { token: owner.token });
    expect(events.body.events[0]).toMatchObject({ actorUserId: admin.id, subjectUserId: member.id, detail: { require2fa: true } });
  });

  // Attack: a member turning 2FA off (or removing the last method) after an account required it.
  it('members cannot disable 2FA while an account requires it (409 2fa_required_by_account)', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(member.token);
    await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { require2fa: true } });
    await f.reauth(member.token);
    const off = await f.call('DELETE', '/api/v1/me/2fa', { token: member.token });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('2fa_required_by_account');
    expect((await f.call('DELETE', '/api/v1/me/2fa/totp', { token: member.token })).body.error.code).toBe('2fa_required_by_account');
    await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { require2fa: false } });
    expect((await f.call('DELETE', '/api/v1/me/2fa', { token: member.token })).status).toBe(204);
  });
});

describe('2FA reset', () => {
  it('409 nothing_to_reset when the member has no method, backup code or trusted device', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const r = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/2fa/reset`, { token: owner.token });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('nothing_to_reset');
  });

  // Attack: a stolen session or device outliving an admin reset.
  it('ends every method, backup code, trusted device and session; clears the lockout; audits and emails', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const { secret } = await f.enrolTotp(member.token);
    const signed = await f.signInWithTotp({ email: member.email, secret }, { rememberDevice: true });
    expect(signed.deviceToken).toBeTruthy();
    // Some wrong codes on the way to a lockout.
    const { challengeId } = await f.startChallenge(member);
    for (let i = 0; i < 3; i++)
      await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'totp', code: '000000' } });
    const before = await f.call('GET', `${f.base(owner.accountId)}/members`, { token: admin.token });
    expect(before.body.find((m: any) => m.userId === member.id).twoFactor.canReset).toBe(true);

    const r = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/2fa/reset`, { token: admin.token });
    expect(r.status).toBe(204);
    expect((await f.call('GET', '/api/v1/session', { token: member.token })).status).toBe(401);
    const ended = await f.call('GET', '/api/v1/session', { token: signed.session.token });
    expect(ended.status).toBe(401);
    expect(ended.body.error.reason).toBe('2fa_reset'); // the open tab can say why it was signed out
    const db = app.deps.db;
    expect(await db('factors').where({ user_id: member.id })).toEqual([]);
    expect(await db('backup_codes').where({ user_id: member.id })).toEqual([]);
    expect(await db('trusted_devices').where({ user_id: member.id })).toEqual([]);
    expect((await db('users').where({ id: member.id }).first()).failed_code_streak).toBe(0);
    // No requirement applies: the next login needs only the password, and the old device token is nothing.
    const login = await f.call('POST', '/api/v1/auth/login', {
      body: { email: member.email, password: member.password, deviceToken: signed.deviceToken },
    });
    expect(login.body.status).toBe('authenticated');
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=member.2fa_reset`, { token: owner.token });
    expect(events.body.events[0]).toMatchObject({
      actorUserId: admin.id,
      subjectUserId: member.id,
      detail: { methods: ['totp'], backupCodes: 10, devices: 1 },
    });
    expect(f.emailsTo(member.email).at(-1)!.subject).toContain('reset');
    const again = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/2fa/reset`, { token: admin.token });
    expect(again.body.error.code).toBe('nothing_to_reset');
  });

  // Attack: an admin stripping an owner's second factor (or their own, skipping reauth).
  it('an admin may not reset an owner, and nobody resets themselves here', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    await f.enrolTotp(admin.token);
    const r = await f.call('POST', `${f.base(owner.accountId)}/members/${owner.id}/2fa/reset`, { token: admin.token });
    expect(r.status).toBe(403);
    const self = await f.call('POST', `${f.base(owner.accountId)}/members/${admin.id}/2fa/reset`, { token: admin.token });
    expect(self.status).toBe(403);
    expect(await app.deps.db('factors').whereIn('user_id', [owner.id, admin.id]).whereNotNull('enabled_at')).toHaveLength(2);
  });

  // Attack: an admin of account A weakening the user's standing in account B by resetting their 2FA.
  it("a reset by account A leaves account B's requirement in force: the user must enrol again before any access", async () => {
    const a = await f.ownerWithTotp();
    const b = await f.ownerWithTotp();
    const user = await f.addMember(a.token, a.accountId, 'member');
    await f.joinAsExistingUser(b.token, b.accountId, user);
    await f.enrolTotp(user.token);
    expect((await f.setPolicy(b.token, b.accountId, { enforce: 'all' })).status).toBe(200);
    expect((await f.call('POST', `${f.base(a.accountId)}/members/${user.id}/2fa/reset`, { token: a.token })).status).toBe(204);
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(login.body.status).toBe('setup_required');
    expect(login.body.requiredBy).toEqual([{ accountId: b.accountId, accountName: expect.any(String), reason: 'enforced_for_all' }]);
    expect((await f.call('GET', `${f.base(b.accountId)}/calls`, { token: login.body.challengeId })).status).toBe(401);
  });
});

describe('owner-issued recovery codes', () => {
  async function memberWithTotp() {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(member.token);
    return { owner, member };
  }
  const useCode = async (email: string, code: string) => {
    const { challengeId } = await f.startChallenge({ email });
    return f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'recovery_code', code } });
  };

  it('owner only (admins 403), with reauth; single use; emails the member and owners; no secret in the audit', async () => {
    const { owner, member } = await memberWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    const path = `${f.base(owner.accountId)}/members/${member.id}/recovery-code`;
    // Attack: a recovery code issued by someone who is not an owner.
    expect((await f.call('POST', path, { token: admin.token })).status).toBe(403);
    app.clock.advance(11 * 60_000);
    const stale = await f.call('POST', path, { token: owner.token });
    expect(stale.status).toBe(403);
    expect(stale.body.error.code).toBe('reauth_required');
    await f.reauth(owner.token);
    const r = await f.call('POST', path, { token: owner.token });
    expect(r.status).toBe(201);
    expect(new Date(r.body.expiresAt).getTime()).toBe(app.clock.now() + 60 * 60_000);
    expect(f.emailsTo(member.email).at(-1)!.subject).toContain('recovery code');
    expect(f.emailsTo(owner.email).at(-1)!.subject).toContain('recovery code');
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=recovery_code.issued`, { token: owner.token });
    expect(JSON.stringify(events.body)).not.toContain(r.body.code.replace('-', ''));
    expect(JSON.stringify(events.body)).not.toContain(r.body.code);
    // Attack: recovery code reuse.
    expect((await useCode(member.email, r.body.code)).status).toBe(200);
    expect((await useCode(member.email, r.body.code)).status).toBe(401);
  });

  it('a new code replaces the previous one; a code expires after one hour', async () => {
    const { owner, member } = await memberWithTotp();
    const path = `${f.base(owner.accountId)}/members/${member.id}/recovery-code`;
    const first = await f.call('POST', path, { token: owner.token });
    const second = await f.call('POST', path, { token: owner.token });
    expect((await useCode(member.email, first.body.code)).status).toBe(401);
    const third = await f.call('POST', path, { token: owner.token });
    expect((await useCode(member.email, second.body.code)).status).toBe(401);
    // Attack: an expired recovery code.
    app.clock.advance(60 * 60_000 + 1000);
    expect((await useCode(member.email, third.body.code)).status).toBe(401);
    const fresh = (await f.signInWithTotp(owner)).session.token; // the old session idled out
    const fourth = await f.call('POST', path, { token: fresh });
    app.clock.advance(59 * 60_000);
    expect((await useCode(member.email, fourth.body.code)).status).toBe(200);
  });

  it("passes the setup requirement once, and not for one's own account", async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' })).status).toBe(200);
    const r = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/recovery-code`, { token: owner.token });
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password } });
    expect(login.body.status).toBe('setup_required');
    const pass = await f.call('POST', `/api/v1/auth/challenge/${login.body.challengeId}/verify`, {
      body: { method: 'recovery_code', code: r.body.code },
    });
    expect(pass.status).toBe(200);
    expect(pass.body.status).toBe('authenticated');
    // The code passes the sign-in, not the requirement: the session may only enrol until a method is set up.
    const session = pass.body.session.token;
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: session })).body.error.code).toBe('2fa_setup_required');
    await f.enrolTotp(session);
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: session })).status).toBe(200);
    expect((await f.call('POST', `${f.base(owner.accountId)}/members/${owner.id}/recovery-code`, { token: owner.token })).status).toBe(403);
    // A recovery code for a non-member of this account is not the owner's to issue.
    const stranger = await f.signup();
    expect((await f.call('POST', `${f.base(owner.accountId)}/members/${stranger.id}/recovery-code`, { token: owner.token })).status).toBe(
      404,
    );
  });
});

it('TOTP helper sanity: codes come from the test clock', () => {
  expect(generateTotp('JBSWY3DPEHPK3PXP', app.clock.now())).toMatch(/^[0-9]{6}$/);
});
