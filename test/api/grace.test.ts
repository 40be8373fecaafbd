// Grace periods through HTTP on a real database, crossing due dates with the test clock: enforcing with a grace
// (confirmed, so it starts at the confirmation), login and GET /session carrying the due date, the members list and
// the preview, shortening and lengthening, a per-member requirement, joining later, several accounts, and the emails
// and audit events on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { PASSWORD, uniqueEmail } from '../support/factories.ts';
import { generateTotp } from '../../shared/totp.ts';
import { formatDueDate } from '../../api/flows/grace.ts';

const DAY = 24 * 60 * 60_000;
let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

type Owner = Awaited<ReturnType<ReturnType<typeof accountFactories>['ownerWithTotp']>>;
const iso = (ms: number) => new Date(ms).toISOString();
const loginOf = (email: string) => f.call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });

/** A fresh owner session (the clock may have jumped past every earlier one), with a fresh reauth. */
async function signInOwner(owner: Owner): Promise<string> {
  owner.token = (await f.signInWithTotp(owner)).session.token;
  return owner.token;
}

/** PUT the policy; a loosening is confirmed with the emailed code. Answers the status of the PUT and when it applied. */
async function changePolicy(owner: Owner, body: Record<string, unknown>, options: { confirmAfterMs?: number } = {}) {
  const put = await f.setPolicy(owner.token, owner.accountId, body);
  if (put.status === 200) return { status: 200, appliedAt: app.clock.now(), policy: put.body };
  expect(put.status, JSON.stringify(put.body)).toBe(202);
  app.clock.advance(options.confirmAfterMs ?? 0);
  const appliedAt = app.clock.now();
  const ok = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
    token: owner.token,
    body: { confirmationId: put.body.confirmationId, code: app.lastCode(owner.email, 'email') },
  });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return { status: 202, appliedAt, policy: ok.body };
}

const memberRow = async (owner: Owner, userId: string) =>
  (await f.call('GET', `${f.base(owner.accountId)}/members`, { token: owner.token })).body.find(
    (m: { userId: string }) => m.userId === userId,
  );
const events = async (owner: Owner, type: string) =>
  (await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=${type}`, { token: owner.token })).body.events;

describe('enforcing with a grace period', () => {
  it('gives each member until confirmation + grace: login and GET /session carry the date; after it, setup_required', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member', 'Gail Grace');
    // Enforcing and lengthening the grace at once waits, as a whole, for the emailed code: the grace starts then.
    const applied = await changePolicy(owner, { enforce: 'all', gracePeriodDays: 7 }, { confirmAfterMs: 5 * 60_000 });
    expect(applied.status).toBe(202);
    expect(applied.policy).toMatchObject({ enforce: 'all', gracePeriodDays: 7 });
    const due = applied.appliedAt + 7 * DAY;

    const email = f.emailsTo(member.email).at(-1)!;
    expect(email.subject).toContain('requires two-factor authentication');
    expect(email.body).toContain(`by ${formatDueDate(due)}`);
    expect(email.body).toContain(`${app.url}/setup`);
    expect(await events(owner, '2fa.grace_granted')).toEqual([
      expect.objectContaining({
        subjectUserId: member.id,
        actorUserId: owner.id,
        detail: { setupDueBy: iso(due), gracePeriodDays: 7 },
      }),
    ]);

    // In grace: a login without 2FA signs in, and says until when; the older session keeps working too.
    const login = await loginOf(member.email);
    expect(login.body).toMatchObject({ status: 'authenticated', twoFactorSetupDueBy: iso(due) });
    expect((await f.call('GET', '/api/v1/me/sessions', { token: member.token })).status).toBe(200);
    expect((await f.call('GET', '/api/v1/session', { token: member.token })).body).toMatchObject({
      twoFactorSetupRequired: false,
      twoFactorSetupDueBy: iso(due),
    });
    expect((await memberRow(owner, member.id)).twoFactor).toMatchObject({ required: true, setupDueBy: iso(due), overdue: false });
    expect((await memberRow(owner, owner.id)).twoFactor).toMatchObject({ setupDueBy: null, overdue: false });

    // Ten minutes before the due date a session starts; it stops working (but to enrol) once the date passes.
    app.clock.set(due - 10 * 60_000);
    const late = await loginOf(member.email);
    expect(late.body.twoFactorSetupDueBy).toBe(iso(due));
    expect((await f.call('GET', '/api/v1/me/sessions', { token: late.body.session.token })).status).toBe(200);
    app.clock.set(due);
    const refused = await f.call('GET', '/api/v1/me/sessions', { token: late.body.session.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('2fa_setup_required');
    expect((await f.call('GET', '/api/v1/session', { token: late.body.session.token })).body).toMatchObject({
      twoFactorSetupRequired: true,
      twoFactorSetupDueBy: null,
    });

    // The next login is setup_required, and the account's audit says the grace ran out.
    const after = await loginOf(member.email);
    expect(after.body.status).toBe('setup_required');
    await signInOwner(owner);
    expect(await events(owner, '2fa.grace_expired')).toEqual([
      expect.objectContaining({ subjectUserId: member.id, detail: { setupDueBy: iso(due) } }),
    ]);
    expect((await memberRow(owner, member.id)).twoFactor).toMatchObject({ setupDueBy: iso(due), overdue: true });

    // Setting 2FA up ends the matter: nothing is due any more.
    const start = await f.call('POST', '/api/v1/me/2fa/totp', { token: after.body.challengeId });
    const verify = await f.call('POST', '/api/v1/me/2fa/totp/verify', {
      token: after.body.challengeId,
      body: { code: generateTotp(start.body.secret, app.clock.now()) },
    });
    expect(verify.body.status).toBe('authenticated');
    expect((await f.call('GET', '/api/v1/session', { token: verify.body.session.token })).body).toMatchObject({
      twoFactorSetupRequired: false,
      twoFactorSetupDueBy: null,
    });
    expect((await memberRow(owner, member.id)).twoFactor).toMatchObject({ enabled: true, setupDueBy: null, overdue: false });
  });

  it('a grace set beforehand starts when enforcement does (200, at once)', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await changePolicy(owner, { gracePeriodDays: 5 })).status).toBe(202);
    // Nothing is required yet, so nothing is due.
    expect((await loginOf(member.email)).body.twoFactorSetupDueBy).toBeUndefined();
    app.clock.advance(DAY);
    await signInOwner(owner);
    const enforced = await changePolicy(owner, { enforce: 'all' });
    expect(enforced.status).toBe(200);
    expect((await loginOf(member.email)).body).toMatchObject({
      status: 'authenticated',
      twoFactorSetupDueBy: iso(enforced.appliedAt + 5 * DAY),
    });
  });

  it('members without a grace period are asked at their next sign-in, as before', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await changePolicy(owner, { enforce: 'all' });
    expect((await loginOf(member.email)).body.status).toBe('setup_required');
    expect((await f.call('GET', '/api/v1/session', { token: member.token })).body).toMatchObject({
      twoFactorSetupRequired: true,
      twoFactorSetupDueBy: null,
    });
    expect((await memberRow(owner, member.id)).twoFactor).toMatchObject({ required: true, setupDueBy: null, overdue: false });
    expect(f.emailsTo(member.email).at(-1)!.body).toContain('Next time you sign in');
  });
});

describe('changing the grace period', () => {
  it('shortening applies at once (200) and tells the members in grace their new date, or that it is due now', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const { appliedAt: start } = await changePolicy(owner, { enforce: 'all', gracePeriodDays: 7 });
    app.clock.advance(4 * DAY);
    await signInOwner(owner);

    const five = await changePolicy(owner, { gracePeriodDays: 5 });
    expect(five.status).toBe(200);
    expect((await loginOf(member.email)).body.twoFactorSetupDueBy).toBe(iso(start + 5 * DAY));
    expect(f.emailsTo(member.email).at(-1)!.body).toContain(`set it up by ${formatDueDate(start + 5 * DAY)}`);

    expect((await changePolicy(owner, { gracePeriodDays: 3 })).status).toBe(200);
    expect((await loginOf(member.email)).body.status).toBe('setup_required');
    expect(f.emailsTo(member.email).at(-1)!.body).toContain('due now');
  });

  it('lengthening waits for the emailed code (202); until then the shorter grace holds', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const { appliedAt: start } = await changePolicy(owner, { enforce: 'all', gracePeriodDays: 2 });
    app.clock.advance(3 * DAY);
    await signInOwner(owner);
    const put = await f.setPolicy(owner.token, owner.accountId, { gracePeriodDays: 10 });
    expect(put.status).toBe(202);
    expect((await loginOf(member.email)).body.status).toBe('setup_required');
    const ok = await f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/confirm`, {
      token: owner.token,
      body: { confirmationId: put.body.confirmationId, code: app.lastCode(owner.email, 'email') },
    });
    expect(ok.body.gracePeriodDays).toBe(10);
    expect((await loginOf(member.email)).body).toMatchObject({ status: 'authenticated', twoFactorSetupDueBy: iso(start + 10 * DAY) });
    expect(f.emailsTo(owner.email).at(-1)!.body).toContain('grace 10 days');
  });

  it.each([[31], [-1], [1.5], ['7'], [null]])('gracePeriodDays %j is 400 invalid_request and changes nothing', async (value) => {
    const owner = await f.ownerWithTotp();
    const r = await f.setPolicy(owner.token, owner.accountId, { gracePeriodDays: value });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect((await f.call('GET', `${f.base(owner.accountId)}/security/2fa-policy`, { token: owner.token })).body.gracePeriodDays).toBe(0);
  });
});

describe('requirements that begin later', () => {
  it("an admin requiring 2FA of one member: that member's grace starts then, and the email names the date", async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    await changePolicy(owner, { gracePeriodDays: 3 });
    app.clock.advance(DAY);
    await signInOwner(owner);
    const at = app.clock.now();
    expect(
      (await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { require2fa: true } })).body
        .twoFactor,
    ).toMatchObject({ required: true, requiredReason: 'required_for_member', setupDueBy: iso(at + 3 * DAY), overdue: false });
    expect(f.emailsTo(member.email).at(-1)!.body).toContain(`by ${formatDueDate(at + 3 * DAY)}`);
    expect((await loginOf(member.email)).body.twoFactorSetupDueBy).toBe(iso(at + 3 * DAY));
    expect(await events(owner, '2fa.grace_granted')).toEqual([
      expect.objectContaining({ subjectUserId: member.id, detail: { setupDueBy: iso(at + 3 * DAY), gracePeriodDays: 3 } }),
    ]);
  });

  it('a member who joins later gets their own grace from the join; those there before are overdue', async () => {
    const owner = await f.ownerWithTotp();
    const early = await f.addMember(owner.token, owner.accountId, 'member');
    await changePolicy(owner, { enforce: 'all', gracePeriodDays: 7 });
    app.clock.advance(10 * DAY);
    await signInOwner(owner);
    const joinedAt = app.clock.now();
    const late = await f.addMember(owner.token, owner.accountId, 'member');
    expect((await loginOf(late.email)).body.twoFactorSetupDueBy).toBe(iso(joinedAt + 7 * DAY));
    expect((await loginOf(early.email)).body.status).toBe('setup_required');
    expect((await events(owner, '2fa.grace_granted')).map((e: { subjectUserId: string }) => e.subjectUserId)).toEqual([late.id, early.id]);
  });

  it('several accounts: the earliest due date wins, and setting 2FA up clears it', async () => {
    const a = await f.ownerWithTotp('Ann A');
    const b = await f.ownerWithTotp('Ben B');
    const member = await f.addMember(a.token, a.accountId, 'member');
    await f.joinAsExistingUser(b.token, b.accountId, member);
    const { appliedAt: aStart } = await changePolicy(a, { enforce: 'all', gracePeriodDays: 7 });
    app.clock.advance(DAY);
    await signInOwner(b);
    const { appliedAt: bStart } = await changePolicy(b, { enforce: 'all', gracePeriodDays: 2 });
    expect(bStart + 2 * DAY).toBeLessThan(aStart + 7 * DAY);
    const login = await loginOf(member.email);
    expect(login.body.twoFactorSetupDueBy).toBe(iso(bStart + 2 * DAY));
    await f.enrolTotp(login.body.session.token);
    expect((await f.call('GET', '/api/v1/session', { token: login.body.session.token })).body.twoFactorSetupDueBy).toBeNull();
  });
});

describe('the preview and the hot path', () => {
  it("the preview names each member's due date under the new policy, as if it applied now", async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const preview = (body: Record<string, unknown>) =>
      f.call('POST', `${f.base(owner.accountId)}/security/2fa-policy/preview`, { token: owner.token, body });
    const withGrace = await preview({ enforce: 'all', gracePeriodDays: 7 });
    expect(withGrace.body.membersToSetUp).toEqual([
      expect.objectContaining({ userId: member.id, setupDueBy: iso(app.clock.now() + 7 * DAY) }),
    ]);
    expect((await preview({ enforce: 'all' })).body.membersToSetUp[0].setupDueBy).toBeNull();
  });

  it("GET /session answers twoFactorSetupDueBy null for a user no account could require 2FA of (the lookup's shortcut)", async () => {
    const user = await f.signup({ email: uniqueEmail('solo') });
    const token = await f.login(user);
    expect((await f.call('GET', '/api/v1/session', { token })).body).toMatchObject({
      twoFactorSetupRequired: false,
      twoFactorSetupDueBy: null,
    });
  });
});
