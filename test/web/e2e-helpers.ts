// What the web app's browser suites share: the real API serving dist/web, Chromium, a page that fails the
// test on CSP violations or requests to other origins, and users seeded through the API.
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Call } from '../support/http.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { generateTotp } from '../../shared/totp.ts';

export const PASSWORD = 'correct horse battery staple 42';

export interface WebHarness {
  app: TestApp;
  call: Call;
  browser: Browser;
  /** A fresh browser profile (cookies, storage) with a page that records problems. */
  newPage(options?: { width?: number; locale?: string; timezoneId?: string }): Promise<Page>;
  /** CSP violations, page errors and requests to other origins seen so far. */
  problems: string[];
  shot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** `hostname: 'localhost'` serves the app at http://localhost:PORT (WebAuthn refuses an IP address as relying party). */
export async function startWeb(prefix: string, options: { hostname?: string } = {}): Promise<WebHarness> {
  const app = await startTestApp({ webRoot: 'dist/web', hostname: options.hostname });
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  return {
    app,
    browser,
    problems,
    call: client(app.url),
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1100, height: 800 },
        acceptDownloads: true,
        locale: options.locale,
        timezoneId: options.timezoneId,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith(app.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
          problems.push(`third-party request: ${r.url()}`);
      });
      return page;
    },
    shot: (page, name) => screenshot(page, `web-${prefix}-${name}`),
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await app.close();
    },
  };
}

export function expectNoProblems(web: WebHarness): void {
  expect(web.problems).toEqual([]);
}

export interface Seeded {
  email: string;
  name: string;
  userId: string;
  accountId: string;
  token: string;
}

/** The token of the newest link emailed to `to` whose subject matches (from the outbox). */
export function linkToken(web: WebHarness, to: string, subject: RegExp): string {
  const message = web.app
    .outbox()
    .filter((m) => m.channel === 'email' && m.to === to && subject.test(m.subject ?? ''))
    .pop();
  if (!message?.code) throw new Error(`no email matching ${subject} was sent to ${to}`);
  return message.code;
}

const emailFor = (name: string) => `${name.toLowerCase().replace(/\W+/g, '.')}.${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Signs a user up (owner of a new account), follows the emailed verification link, and signs them in, all through the API. */
export async function seedUser(web: WebHarness, name: string, accountName?: string): Promise<Seeded> {
  const email = emailFor(name);
  const signup = await web.call('POST', '/api/v1/auth/signup', {
    body: { email, password: PASSWORD, name, accountName: accountName ?? `${name}’s team` },
  });
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  const verified = await web.call('POST', '/api/v1/auth/verify-email', { body: { token: linkToken(web, email, /^Verify your email/) } });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  const login = await web.call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(login.body.status, JSON.stringify(login.body)).toBe('authenticated');
  return { email, name, userId: signup.body.user.id, accountId: signup.body.account.id, token: login.body.session.token };
}

async function invite(web: WebHarness, owner: Seeded, email: string, role: 'member' | 'admin'): Promise<string> {
  const invited = await web.call('POST', `/api/v1/accounts/${owner.accountId}/members`, { token: owner.token, body: { email, role } });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  return linkToken(web, email, /invited you to/);
}

/** A new person invited into the owner's account who accepts through the link: the account manages them. */
export async function seedMember(web: WebHarness, owner: Seeded, name: string, role: 'member' | 'admin' = 'member'): Promise<Seeded> {
  const email = emailFor(name);
  const inviteToken = await invite(web, owner, email, role);
  const accepted = await web.call('POST', '/api/v1/auth/accept-invite', { body: { inviteToken, name, password: PASSWORD } });
  expect(accepted.body.status, JSON.stringify(accepted.body)).toBe('authenticated');
  return { email, name, userId: accepted.body.user.id, accountId: owner.accountId, token: accepted.body.session.token };
}

/** Enrols an authenticator app through the API; returns its secret and the first backup codes. */
export async function enrolTotp(web: WebHarness, user: Seeded): Promise<{ secret: string; backupCodes: string[] }> {
  const start = await web.call('POST', '/api/v1/me/2fa/totp', { token: user.token, body: {} });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const secret = start.body.secret as string;
  const verify = await web.call('POST', '/api/v1/me/2fa/totp/verify', {
    token: user.token,
    body: { code: generateTotp(secret, web.app.clock.now()) },
  });
  expect(verify.status, JSON.stringify(verify.body)).toBe(200);
  // Turning 2FA on ends the user's other sessions: sign the seeding session in again.
  web.app.clock.advance(30_000);
  const login = await web.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
  if (login.body.status === 'challenge') {
    const pass = await web.call('POST', `/api/v1/auth/challenge/${login.body.challengeId}/verify`, {
      body: { method: 'totp', code: generateTotp(secret, web.app.clock.now()) },
    });
    user.token = pass.body.session.token;
    web.app.clock.advance(30_000);
  }
  return { secret, backupCodes: verify.body.backupCodes ?? [] };
}

/** Signs a user with an authenticator app in through the API (for checks after the UI ended older sessions). */
export async function apiSignIn(web: WebHarness, email: string, secret: string): Promise<string> {
  const login = await web.call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  if (login.body.status === 'authenticated') return login.body.session.token as string;
  const pass = await web.call('POST', `/api/v1/auth/challenge/${login.body.challengeId}/verify`, {
    body: { method: 'totp', code: nextTotp(web, secret) },
  });
  expect(pass.status, JSON.stringify(pass.body)).toBe(200);
  return pass.body.session.token as string;
}

/** The next TOTP code that the replay guard will accept (a step after any earlier one). */
export function nextTotp(web: WebHarness, secret: string): string {
  web.app.clock.advance(30_000);
  return generateTotp(secret, web.app.clock.now());
}

/** Logs out from the header and waits for the sign-in form's own button. Not for the label Email: until the logout
 * is answered the Security page is still up, and its "Email: off" method row answers to that label too. */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

export async function signInWithPassword(page: Page, url: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** An existing user joins the owner's account by accepting its invitation while signed in (not managed by it). */
export async function addMember(web: WebHarness, owner: Seeded, member: Seeded, role: 'member' | 'admin' = 'member'): Promise<void> {
  const inviteToken = await invite(web, owner, member.email, role);
  const accepted = await web.call('POST', '/api/v1/auth/accept-invite', { token: member.token, body: { inviteToken } });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}
