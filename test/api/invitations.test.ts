// Membership by consent (contract v1.1): verified email, invitations for everyone, accepting as a new person or as
// the signed-in invited user, and managing pending invitations. The attacks these rules stop: test/security/consent.test.ts.
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

const DAY = 24 * 3600_000;
const accept = (body: Record<string, unknown>, token?: string) => f.call('POST', '/api/v1/auth/accept-invite', { body, token });
const preview = (inviteToken: string) => f.call('POST', '/api/v1/auth/invitation', { body: { inviteToken } });

describe('email verification', () => {
  it('sign-up emails a link with the token after #; the link verifies once', async () => {
    const email = uniqueEmail('new');
    const r = await f.call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Nora New' } });
    expect(r.status).toBe(201);
    expect(r.body.user).toEqual({ id: expect.any(String), email, name: 'Nora New', emailVerified: false });
    const mail = f.emailsTo(email).at(-1)!;
    const token = f.linkToken(email, /^Verify your email/);
    expect(mail.body).toContain(`${app.url}/verify-email#token=${token}`);
    const session = await f.call('GET', '/api/v1/session', { token: await f.login({ email }) });
    expect(session.body.user.emailVerified).toBe(false);

    const verified = await f.call('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email, emailVerified: true });
    expect((await f.call('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(410);
    expect((await f.call('POST', '/api/v1/auth/verify-email', { body: { token: 'forged' } })).status).toBe(410);
    expect((await f.call('GET', '/api/v1/session', { token: await f.login({ email }) })).body.user.emailVerified).toBe(true);
  });

  it('a link expires after 24 hours; a new one replaces the old, one a minute; 409 once verified', async () => {
    const user = await f.signup({ verified: false });
    const first = f.linkToken(user.email, /^Verify your email/);
    app.clock.advance(DAY + 1000);
    expect((await f.call('POST', '/api/v1/auth/verify-email', { body: { token: first } })).status).toBe(410);
    const token = await f.login(user);

    const resent = await f.call('POST', '/api/v1/auth/verify-email/send', { token });
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({ sentTo: expect.stringContaining('•'), resendAfterSeconds: 60 });
    const second = f.linkToken(user.email, /^Verify your email/);
    const tooSoon = await f.call('POST', '/api/v1/auth/verify-email/send', { token });
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    app.clock.advance(61_000);
    await f.call('POST', '/api/v1/auth/verify-email/send', { token });
    const third = f.linkToken(user.email, /^Verify your email/);
    expect((await f.call('POST', '/api/v1/auth/verify-email', { body: { token: second } })).status).toBe(410); // replaced
    expect((await f.call('POST', '/api/v1/auth/verify-email', { body: { token: third } })).status).toBe(200);
    expect((await f.call('POST', '/api/v1/auth/verify-email/send', { token })).status).toBe(409);
  });
});

describe('inviting a new person', () => {
  it('previews the invitation, then a new person chooses name and password and is signed in, verified and managed', async () => {
    const owner = await f.ownerWithTotp('Olive Owner');
    const email = uniqueEmail('invitee');
    const inviteToken = await f.invite(owner.token, owner.accountId, email, 'admin');
    expect(f.emailsTo(email).at(-1)!.body).toContain(`${app.url}/accept-invite#token=${inviteToken}`);
    const seen = await preview(inviteToken);
    expect(seen.body).toEqual({
      accountName: expect.any(String),
      invitedBy: 'Olive Owner',
      invitedByEmail: owner.email,
      role: 'admin',
      email,
      expiresAt: expect.any(String),
      existingUser: false,
      managed: true,
      accountMay: ['require_2fa', 'change_role', 'remove', 'reset_2fa', 'issue_recovery_code'],
    });

    expect((await accept({ inviteToken, name: 'Ivy', password: 'password1' })).status).toBe(400); // a common password
    expect((await accept({ inviteToken, name: 'Ivy' })).status).toBe(400); // half of a new person's answer
    const accepted = await accept({ inviteToken, name: 'Ivy', password: PASSWORD });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({
      status: 'authenticated',
      user: { email, name: 'Ivy', emailVerified: true },
      session: { token: expect.any(String) },
    });
    expect(accepted.headers.get('set-cookie')).toContain('twofold_session=');
    const session = await f.call('GET', '/api/v1/session', { token: accepted.body.session.token });
    expect(session.body.accounts).toEqual([{ id: owner.accountId, name: expect.any(String), role: 'admin' }]);
    const members = await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token });
    expect(members.body.find((m: any) => m.email === email)).toMatchObject({ managed: true, role: 'admin' });

    // Single use; gone from the pending list; the preview answers 410 too.
    expect((await accept({ inviteToken, name: 'Ivy 2', password: PASSWORD })).status).toBe(410);
    expect((await preview(inviteToken)).status).toBe(410);
    expect((await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: owner.token })).body).toEqual([]);
  });

  it('into an account that enforces 2FA, the new person lands in setup_required', async () => {
    const owner = await f.ownerWithTotp();
    expect((await f.setPolicy(owner.token, owner.accountId, { enforce: 'all' })).status).toBe(200);
    const inviteToken = await f.invite(owner.token, owner.accountId, uniqueEmail('strict'), 'member');
    const accepted = await accept({ inviteToken, name: 'Sam', password: PASSWORD });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'setup_required', challengeId: expect.any(String), user: { emailVerified: true } });
    expect(accepted.headers.get('set-cookie')).toBeNull();
  });

  it('expires after 7 days; revoked, replaced and resent links stop working', async () => {
    const owner = await f.ownerWithTotp();
    const late = uniqueEmail('late');
    const lateToken = await f.invite(owner.token, owner.accountId, late, 'member');
    app.clock.advance(7 * DAY - 1000);
    expect((await preview(lateToken)).status).toBe(200);
    app.clock.advance(2000);
    expect((await accept({ inviteToken: lateToken, name: 'Late', password: PASSWORD })).status).toBe(410);
    owner.token = (await f.signInWithTotp(owner)).session.token;

    const email = uniqueEmail('pending');
    const firstToken = await f.invite(owner.token, owner.accountId, email, 'member');
    const secondToken = await f.invite(owner.token, owner.accountId, email, 'admin'); // replaces the first
    expect((await preview(firstToken)).status).toBe(410);
    const pending = await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: owner.token });
    expect(pending.body).toEqual([
      {
        id: expect.any(String),
        email,
        role: 'admin',
        invitedBy: 'Olive Owner',
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    const id = pending.body[0].id;

    const resent = await f.call('POST', `${f.base(owner.accountId)}/invitations/${id}/resend`, { token: owner.token });
    expect(resent.status).toBe(200);
    expect(resent.body.invitation).toMatchObject({ id, email, role: 'admin' });
    const thirdToken = f.linkToken(email, /invited you to/);
    expect(thirdToken).not.toBe(secondToken);
    expect((await preview(secondToken)).status).toBe(410);
    expect((await preview(thirdToken)).status).toBe(200);

    expect((await f.call('DELETE', `${f.base(owner.accountId)}/invitations/${id}`, { token: owner.token })).status).toBe(204);
    expect((await accept({ inviteToken: thirdToken, name: 'Pat', password: PASSWORD })).status).toBe(410);
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/invitations/${id}`, { token: owner.token })).status).toBe(404);
    const audit = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=invitation.`, { token: owner.token });
    expect(audit.body.events.map((e: any) => e.type)).toEqual(['invitation.revoked', 'invitation.resent']);
  });

  it("admins manage invitations of members and admins, not of owners; nobody reaches another account's invitations", async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    await f.invite(owner.token, owner.accountId, uniqueEmail('future-owner'), 'owner');
    const [ownerInvitation] = (await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: admin.token })).body;
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/invitations/${ownerInvitation.id}`, { token: admin.token })).status).toBe(
      403,
    );
    expect(
      (await f.call('POST', `${f.base(owner.accountId)}/invitations/${ownerInvitation.id}/resend`, { token: admin.token })).status,
    ).toBe(403);
    const other = await f.ownerWithTotp();
    expect((await f.call('DELETE', `${f.base(other.accountId)}/invitations/${ownerInvitation.id}`, { token: other.token })).status).toBe(
      404,
    );
    expect((await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: other.token })).status).toBe(404);
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: member.token })).status).toBe(403);
  });

  it('an invitation that cannot be emailed leaves nothing behind', async () => {
    const owner = await f.ownerWithTotp();
    const email = uniqueEmail('undeliverable');
    const send = app.deps.senders.email.send;
    app.deps.senders.email.send = async () => {
      throw new Error('mailbox full');
    };
    try {
      const r = await f.call('POST', `${f.base(owner.accountId)}/members`, { token: owner.token, body: { email, role: 'member' } });
      expect(r.status).toBe(502);
    } finally {
      app.deps.senders.email.send = send;
    }
    expect((await f.call('GET', `${f.base(owner.accountId)}/invitations`, { token: owner.token })).body).toEqual([]);
  });
});

describe('an existing user accepts while signed in', () => {
  it('joins with one call, stays managed by their own account, and the preview says what the account may do', async () => {
    const owner = await f.ownerWithTotp();
    const user = await f.signup({ name: 'Eve Existing' });
    const token = await f.login(user);
    const inviteToken = await f.invite(owner.token, owner.accountId, user.email, 'member');
    expect((await preview(inviteToken)).body).toMatchObject({
      existingUser: true,
      managed: false,
      accountMay: ['require_2fa', 'change_role', 'remove'],
    });
    expect((await accept({ inviteToken })).status).toBe(401); // not signed in
    const joined = await accept({ inviteToken }, token);
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ account: { id: owner.accountId, name: expect.any(String), role: 'member' } });
    const members = await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token });
    expect(members.body.find((m: any) => m.userId === user.id)).toMatchObject({
      managed: false,
      twoFactor: { canReset: false, canIssueRecoveryCode: false },
    });
    const own = await f.call('GET', `${f.base(user.accountId)}/members`, { token });
    expect(own.body.find((m: any) => m.userId === user.id).managed).toBe(true);
    expect((await accept({ inviteToken }, token)).status).toBe(410);
  });

  it('already a member: 409, and the invitation stays usable for nobody else', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const r = await f.call('POST', `${f.base(owner.accountId)}/members`, {
      token: owner.token,
      body: { email: member.email, role: 'admin' },
    });
    expect(r.status).toBe(409);
  });

  it('a verified holder of the address cannot be replaced by someone choosing a new password', async () => {
    const owner = await f.ownerWithTotp();
    const user = await f.signup();
    const inviteToken = await f.invite(owner.token, owner.accountId, user.email, 'member');
    const r = await accept({ inviteToken, name: 'Impostor', password: `${PASSWORD}!` });
    expect(r.status).toBe(409);
    expect(await f.login(user)).toEqual(expect.any(String)); // their password still works
    expect((await preview(inviteToken)).status).toBe(200); // and the invitation is still theirs to accept
  });
});
