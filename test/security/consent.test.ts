// Account boundaries (contract v1.1, "Trust between users and accounts"): an account must never be able to pull a
// user in and then use owner powers on them; a squatter on an unverified address must never join its company; email
// links must never point at a host a request chose. Each test is the attack it stops.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { PASSWORD, uniqueEmail } from '../support/factories.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

const verify = (challengeId: string, body: Record<string, unknown>) =>
  f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body });

/** A victim with an authenticator app, and an attacker who owns an account and knows the victim's password. */
async function victimAndAttacker() {
  const victim = await f.userWithTotp({ name: 'Victor Victim', email: uniqueEmail('victim') });
  const attacker = await f.ownerWithTotp('Mallory Attacker');
  return { victim, attacker };
}

describe('an account that pulls a user in cannot get past their 2FA', () => {
  it('attacker adds the victim: nothing joins without consent, so there is nobody to reset or rescue', async () => {
    // Attack (the v1 bypass): add the victim's email to your account, issue them a recovery code, pass their challenge.
    const { victim, attacker } = await victimAndAttacker();
    const added = await f.call('POST', `${f.base(attacker.accountId)}/members`, {
      token: attacker.token,
      body: { email: victim.email, role: 'member' },
    });
    expect(added.status).toBe(201); // only an invitation, emailed to the victim
    expect(
      (await f.call('GET', `${f.base(attacker.accountId)}/members`, { token: attacker.token })).body.map((m: any) => m.userId),
    ).not.toContain(victim.id);
    expect(
      (await f.call('POST', `${f.base(attacker.accountId)}/members/${victim.id}/recovery-code`, { token: attacker.token })).status,
    ).toBe(404);
    expect((await f.call('POST', `${f.base(attacker.accountId)}/members/${victim.id}/2fa/reset`, { token: attacker.token })).status).toBe(
      404,
    );
    const { challengeId } = await f.startChallenge(victim);
    expect((await verify(challengeId, { method: 'recovery_code', code: 'ABCDE-FGHJK' })).status).toBe(401);
  });

  it('attacker tricks the victim into accepting: the account may not reset or rescue a user it does not manage', async () => {
    // Attack: the victim accepts a harmless-looking invitation; the inviting account's owner then resets or rescues them.
    const { victim, attacker } = await victimAndAttacker();
    await f.joinAsExistingUser(attacker.token, attacker.accountId, victim);
    const admin = await f.addMember(attacker.token, attacker.accountId, 'admin');
    const recovery = await f.call('POST', `${f.base(attacker.accountId)}/members/${victim.id}/recovery-code`, { token: attacker.token });
    expect(recovery.status).toBe(403);
    expect(recovery.body.error.code).toBe('forbidden');
    for (const token of [attacker.token, admin.token]) {
      expect((await f.call('POST', `${f.base(attacker.accountId)}/members/${victim.id}/2fa/reset`, { token })).status).toBe(403);
    }
    const listed = (await f.call('GET', `${f.base(attacker.accountId)}/members`, { token: attacker.token })).body.find(
      (m: any) => m.userId === victim.id,
    );
    expect(listed).toMatchObject({ managed: false, twoFactor: { enabled: true, canReset: false, canIssueRecoveryCode: false } });
    // The victim's 2FA is untouched, and a password alone still meets the challenge.
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: victim.email, password: PASSWORD } });
    expect(login.body.status).toBe('challenge');
    expect(await app.deps.db('recovery_codes').where({ user_id: victim.id })).toEqual([]);
  });

  it('a recovery code stops working when the member leaves the issuing account', async () => {
    // Attack: a code issued while the member belonged to the account, used after they left it.
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(member.token);
    const issued = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/recovery-code`, { token: owner.token });
    expect(issued.status).toBe(201);
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token })).status).toBe(204);
    const { challengeId } = await f.startChallenge(member);
    expect((await verify(challengeId, { method: 'recovery_code', code: issued.body.code })).status).toBe(401);
  });

  it('a recovery code stops working when its issuer stops being an owner', async () => {
    // Attack: an owner issues a code, is demoted (or leaves), and the code still opens the member's sign-in.
    const owner = await f.ownerWithTotp();
    const second = await f.addMember(owner.token, owner.accountId, 'owner', 'Second Owner');
    await f.enrolTotp(second.token);
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await f.enrolTotp(member.token);
    await f.reauth(second.token);
    const issued = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/recovery-code`, { token: second.token });
    expect(issued.status).toBe(201);
    expect(
      (await f.call('PUT', `${f.base(owner.accountId)}/members/${second.id}`, { token: owner.token, body: { role: 'admin' } })).status,
    ).toBe(200);
    const { challengeId } = await f.startChallenge(member);
    expect((await verify(challengeId, { method: 'recovery_code', code: issued.body.code })).status).toBe(401);
    // Control: a code from a current owner of the managing account works.
    await f.reauth(owner.token);
    const valid = await f.call('POST', `${f.base(owner.accountId)}/members/${member.id}/recovery-code`, { token: owner.token });
    const again = await f.startChallenge(member);
    expect((await verify(again.challengeId, { method: 'recovery_code', code: valid.body.code })).status).toBe(200);
  });
});

describe('a squatter on an unverified address', () => {
  it("squatter registers first: cannot accept the company's invitation, and the real person takes the address over", async () => {
    // Attack: sign up with a colleague's address (never verified), then join their company when its owner invites it.
    const company = await f.ownerWithTotp('Company Owner');
    const address = uniqueEmail('colleague');
    const squatter = await f.signup({ email: address, name: 'Squatter', verified: false });
    const squatterToken = await f.login(squatter);
    // An unverified user cannot send genuine Twofold invitations either.
    expect(
      (
        await f.call('POST', `${f.base(squatter.accountId)}/members`, {
          token: squatterToken,
          body: { email: uniqueEmail('x'), role: 'member' },
        })
      ).status,
    ).toBe(403);

    const inviteToken = await f.invite(company.token, company.accountId, address, 'member');
    const bySquatter = await f.call('POST', '/api/v1/auth/accept-invite', { token: squatterToken, body: { inviteToken } });
    expect(bySquatter.status).toBe(403);
    expect((await f.call('POST', '/api/v1/auth/invitation', { body: { inviteToken } })).body.existingUser).toBe(false);

    // The mailbox's real owner follows the link: a new, verified user, managed by the company.
    const real = await f.call('POST', '/api/v1/auth/accept-invite', {
      body: { inviteToken, name: 'Real Colleague', password: `${PASSWORD} real` },
    });
    expect(real.status).toBe(201);
    expect(real.body.user).toMatchObject({ email: address, name: 'Real Colleague', emailVerified: true });
    expect(real.body.user.id).not.toBe(squatter.id);
    // The squatter is gone: their session, their password and their empty account.
    expect((await f.call('GET', '/api/v1/session', { token: squatterToken })).status).toBe(401);
    expect((await f.call('POST', '/api/v1/auth/login', { body: { email: address, password: PASSWORD } })).status).toBe(401);
    expect(await app.deps.db('accounts').where({ id: squatter.accountId }).first()).toBeUndefined();
    const audit = await f.call('GET', `${f.base(company.accountId)}/audit-events?type=user.replaced_unverified`, { token: company.token });
    expect(audit.body.events).toHaveLength(1);
  });

  it('an unverified user cannot accept any invitation by session, even one sent to their own address', async () => {
    const owner = await f.ownerWithTotp();
    const user = await f.signup({ verified: false });
    const inviteToken = await f.invite(owner.token, owner.accountId, user.email, 'member');
    const r = await f.call('POST', '/api/v1/auth/accept-invite', { token: await f.login(user), body: { inviteToken } });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/verify/i);
  });

  it('another signed-in user cannot accept an invitation sent to someone else', async () => {
    // Attack: forward yourself a colleague's invitation link and accept it with your own session.
    const owner = await f.ownerWithTotp();
    const invitee = await f.signup();
    const intruder = await f.signup();
    const inviteToken = await f.invite(owner.token, owner.accountId, invitee.email, 'admin');
    const r = await f.call('POST', '/api/v1/auth/accept-invite', { token: await f.login(intruder), body: { inviteToken } });
    expect(r.status).toBe(403);
    expect(
      (await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token })).body.map((m: any) => m.userId),
    ).not.toContain(intruder.id);
  });
});

/** A POST with forged Host, Origin and forwarding headers (fetch may not set Host, so plain http). */
function forgedPost(path: string, body: unknown, token?: string): Promise<number> {
  const url = new URL(path, app.url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          host: 'evil.example',
          origin: 'https://evil.example',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('links in emails come from PUBLIC_URL only', () => {
  it('the invite link with a forged Origin and Host still points at PUBLIC_URL', async () => {
    // Attack: make Twofold send a genuine invitation whose link points at a host the attacker chose.
    const owner = await f.ownerWithTotp();
    const email = uniqueEmail('phish-target');
    expect(await forgedPost(`${f.base(owner.accountId)}/members`, { email, role: 'member' }, owner.token)).toBe(201);
    const body = f.emailsTo(email).at(-1)!.body;
    expect(body).toContain(`${app.url}/accept-invite#token=`);
    expect(body).not.toContain('evil.example');
  });

  it('the verification link and the setup instructions ignore request headers too', async () => {
    const email = uniqueEmail('signup');
    expect(await forgedPost('/api/v1/auth/signup', { email, password: PASSWORD, name: 'Sig Nup' })).toBe(201);
    expect(f.emailsTo(email).at(-1)!.body).toContain(`${app.url}/verify-email#token=`);
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const url = new URL(`${f.base(owner.accountId)}/members/${member.id}`, app.url);
    await f.call('PUT', url.pathname, { token: owner.token, body: { require2fa: true }, headers: { origin: 'https://evil.example' } });
    for (const mail of [...f.emailsTo(email), ...f.emailsTo(member.email)]) expect(mail.body).not.toContain('evil.example');
    expect(f.emailsTo(member.email).at(-1)!.body).toContain(app.url);
  });
});

describe('audit scope', () => {
  it('an account cannot read the security events of a member it does not manage', async () => {
    // Attack: invite someone, and once they accept, watch their lockouts and 2FA changes from your audit log.
    const { victim, attacker } = await victimAndAttacker();
    await f.joinAsExistingUser(attacker.token, attacker.accountId, victim);
    const { challengeId } = await f.startChallenge(victim);
    for (let i = 0; i < 5; i++) await verify(challengeId, { method: 'totp', code: '000000' });
    for (let i = 0; i < 5; i++) {
      const again = await f.startChallenge(victim);
      await verify(again.challengeId, { method: 'totp', code: '000000' });
    }
    const own = await f.call('GET', `${f.base(victim.accountId)}/audit-events?type=login.locked_out`, { token: victim.token });
    expect(own.body.events).toHaveLength(1); // the account that manages the victim sees it
    const theirs = await f.call('GET', `${f.base(attacker.accountId)}/audit-events`, { token: attacker.token });
    expect(theirs.body.events.filter((e: any) => e.subjectUserId === victim.id && e.type !== 'invitation.accepted')).toEqual([]);
  });

  it("an account never reads a member's events from before they (re)joined", async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token })).status).toBe(204);
    await f.enrolTotp(member.token); // a user-level event while away
    await f.joinAsExistingUser(owner.token, owner.accountId, { email: member.email, token: member.token });
    app.clock.advance(1000);
    expect((await f.call('PUT', '/api/v1/me/2fa/preferred', { token: member.token, body: { method: 'totp' } })).status).toBe(200);
    const events = (await f.call('GET', `${f.base(owner.accountId)}/audit-events?userId=${member.id}`, { token: owner.token })).body.events;
    expect(events.map((e: any) => e.type)).not.toContain('2fa.enabled');
    expect(events.map((e: any) => e.type)).toContain('2fa.preferred_changed');
  });
});
