// Accounts with owners, admins and members, made through the HTTP API, for the administration tests.
import type { TestApp } from './app.ts';
import { factories, PASSWORD, uniqueEmail, type TestUser } from './factories.ts';

export interface Member extends TestUser {
  token: string;
  role: 'owner' | 'admin' | 'member';
}

export function accountFactories(app: TestApp) {
  const f = factories(app);
  const base = (accountId: string) => `/api/v1/accounts/${accountId}`;

  /** An owner with TOTP (so policies may be enforced) and a fresh session. */
  async function ownerWithTotp(name = 'Olive Owner') {
    const owner = await f.userWithTotp({ name, email: uniqueEmail('owner') });
    return { ...owner, role: 'owner' as const };
  }

  /** Invites a new person into the account with `role`; they accept through the emailed link (so the account manages
   * them) and are returned signed in (no 2FA). `accountId` is the account they joined. */
  async function addMember(ownerToken: string, accountId: string, role: 'owner' | 'admin' | 'member', name = `A ${role}`): Promise<Member> {
    const email = uniqueEmail(role);
    const inviteToken = await invite(ownerToken, accountId, email, role);
    const r = await f.call('POST', '/api/v1/auth/accept-invite', { body: { inviteToken, name, password: PASSWORD } });
    if (r.status !== 201 || r.body.status !== 'authenticated') throw new Error(`accept failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.user.id, email, name, password: PASSWORD, accountId, token: r.body.session.token, role };
  }

  /** Emails an invitation; returns the token from the link. */
  async function invite(ownerToken: string, accountId: string, email: string, role: 'owner' | 'admin' | 'member'): Promise<string> {
    const r = await f.call('POST', `${base(accountId)}/members`, { token: ownerToken, body: { email, role } });
    if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.body)}`);
    return f.linkToken(email, /invited you to/);
  }

  /** An existing user (with their own account, which manages them) joins another account by accepting, signed in. */
  async function joinAsExistingUser(
    ownerToken: string,
    accountId: string,
    user: { email: string; token: string },
    role: 'owner' | 'admin' | 'member' = 'member',
  ) {
    const inviteToken = await invite(ownerToken, accountId, user.email, role);
    const r = await f.call('POST', '/api/v1/auth/accept-invite', { token: user.token, body: { inviteToken } });
    if (r.status !== 200) throw new Error(`accept as user failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async function reauth(token: string) {
    const r = await f.call('POST', '/api/v1/auth/reauth', { token, body: { password: PASSWORD } });
    if (r.status !== 200) throw new Error(`reauth failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async function setPolicy(token: string, accountId: string, body: Record<string, unknown>) {
    return f.call('PUT', `${base(accountId)}/security/2fa-policy`, { token, body });
  }

  /** Emails received by `to`, newest last. */
  const emailsTo = (to: string) => app.outbox().filter((m) => m.channel === 'email' && m.to === to);

  return { ...f, base, ownerWithTotp, addMember, invite, joinAsExistingUser, reauth, setPolicy, emailsTo };
}
