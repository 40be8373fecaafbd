// Accounts with owners, admins and members, made through the HTTP API, for the administration tests.
import type { TestApp } from './app.ts';
import { factories, PASSWORD, uniqueEmail, type TestUser } from './factories.ts';

export interface Member extends TestUser { token: string; role: 'owner' | 'admin' | 'member' }

export function accountFactories(app: TestApp) {
  const f = factories(app);
  const base = (accountId: string) => `/api/v1/accounts/${accountId}`;

  /** An owner with TOTP (so policies may be enforced) and a fresh session. */
  async function ownerWithTotp(name = 'Olive Owner') {
    const owner = await f.userWithTotp({ name, email: uniqueEmail('owner') });
    return { ...owner, role: 'owner' as const };
  }

  /** Adds an existing new user to the account with `role`; returns them signed in (no 2FA). */
  async function addMember(ownerToken: string, accountId: string, role: 'owner' | 'admin' | 'member', name = `A ${role}`): Promise<Member> {
    const user = await f.signup({ name, email: uniqueEmail(role) });
    const r = await f.call('POST', `${base(accountId)}/members`, { token: ownerToken, body: { email: user.email, role } });
    if (r.status !== 201) throw new Error(`add member failed: ${r.status} ${JSON.stringify(r.body)}`);
    const token = await f.login(user);
    return { ...user, token, role };
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

  return { ...f, base, ownerWithTotp, addMember, reauth, setPolicy, emailsTo };
}
