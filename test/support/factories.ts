// Users, accounts and enrolled factors, made through the HTTP API so every test starts from states real users reach.
import { randomBytes } from 'node:crypto';
import { generateTotp } from '../../shared/totp.ts';
import type { TestApp } from './app.ts';
import { client, type Call } from './http.ts';

export const PASSWORD = 'correct horse battery staple 42';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  accountId: string;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

export function factories(app: TestApp) {
  const call: Call = client(app.url);

  /** Signs up through the API and, unless `verified: false`, follows the emailed verification link as the person would. */
  async function signup(overrides: { email?: string; name?: string; accountName?: string; verified?: boolean } = {}): Promise<TestUser> {
    const email = overrides.email ?? uniqueEmail();
    const name = overrides.name ?? 'Test User';
    const r = await call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name, accountName: overrides.accountName } });
    if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
    if (overrides.verified !== false) await verifyEmail(r.body.user.email);
    return { id: r.body.user.id, email: r.body.user.email, name, password: PASSWORD, accountId: r.body.account.id };
  }

  /** The token of the newest link emailed to `to` whose subject matches. */
  function linkToken(to: string, subject: RegExp): string {
    const message = app
      .outbox()
      .filter((m) => m.channel === 'email' && m.to === to && subject.test(m.subject ?? ''))
      .pop();
    if (!message?.code) throw new Error(`no email matching ${subject} was sent to ${to}`);
    return message.code;
  }

  async function verifyEmail(email: string): Promise<void> {
    const r = await call('POST', '/api/v1/auth/verify-email', { body: { token: linkToken(email, /^Verify your email/) } });
    if (r.status !== 200) throw new Error(`verify-email failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** Logs in a user who has no second factor; returns the session token. */
  async function login(user: { email: string; password?: string }): Promise<string> {
    const r = await call('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password ?? PASSWORD } });
    if (r.body?.status !== 'authenticated') throw new Error(`login did not authenticate: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.session.token;
  }

  /** Enrols an authenticator app for a signed-in user; returns its secret and the first backup codes. */
  async function enrolTotp(token: string): Promise<{ secret: string; backupCodes: string[] }> {
    const start = await call('POST', '/api/v1/me/2fa/totp', { token });
    const secret: string = start.body.secret;
    const verify = await call('POST', '/api/v1/me/2fa/totp/verify', { token, body: { code: generateTotp(secret, app.clock.now()) } });
    if (verify.status !== 200) throw new Error(`totp verify failed: ${verify.status} ${JSON.stringify(verify.body)}`);
    app.clock.advance(30_000); // the next TOTP code must come from a later step (replay guard)
    return { secret, backupCodes: verify.body.backupCodes ?? [] };
  }

  /** A user with TOTP on; `token` is a session from before enrolment's end (still valid: it enrolled). */
  async function userWithTotp(overrides: Parameters<typeof signup>[0] = {}) {
    const user = await signup(overrides);
    const token = await login(user);
    const totp = await enrolTotp(token);
    return { ...user, token, ...totp };
  }

  /** Password step of a user with 2FA: returns the challenge answer. */
  async function startChallenge(user: { email: string }, extra: Record<string, unknown> = {}) {
    const r = await call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD, ...extra } });
    if (r.body?.status !== 'challenge') throw new Error(`expected a challenge: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { challengeId: string; methods: string[]; preferredMethod: string };
  }

  /** Full sign-in with TOTP; advances the clock a step afterwards so the next code is fresh. */
  async function signInWithTotp(user: { email: string; secret: string }, extra: Record<string, unknown> = {}) {
    const { challengeId } = await startChallenge(user);
    const r = await call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(user.secret, app.clock.now()), ...extra },
    });
    if (r.status !== 200) throw new Error(`verify failed: ${r.status} ${JSON.stringify(r.body)}`);
    app.clock.advance(30_000);
    return r.body as { session: { token: string }; deviceToken?: string };
  }

  return { call, signup, verifyEmail, linkToken, login, enrolTotp, userWithTotp, startChallenge, signInWithTotp };
}
