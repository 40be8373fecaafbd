// Every page of the web app, at 1280 px and 390 px: axe finds no serious or critical violation (nor content outside
// a landmark), nothing scrolls sideways, and a screenshot of each is kept under test-results/ to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import {
  enrolTotp,
  expectNoProblems,
  linkToken,
  nextTotp,
  PASSWORD,
  seedMember,
  seedUser,
  signInWithPassword,
  startWeb,
  type Seeded,
  type WebHarness,
} from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('a11y');
});
afterAll(async () => {
  await web?.close();
});

const widths = [1280, 390] as const;

/** Screenshot, axe and sideways scrolling for the page as it is now; returns what is wrong, one line each. */
async function check(page: Page, width: number, name: string): Promise<string[]> {
  await web.shot(page, `${width}px-${name}`);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region')
    .map(
      (v) =>
        `${name} @${width}px: ${v.id} (${v.impact}) at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) found.push(`${name} @${width}px: scrolls sideways by ${overflow}px`);
  return found;
}

async function reauthIfAsked(page: Page) {
  const dialog = page.getByTestId('reauth-dialog');
  if (await dialog.isVisible().catch(() => false)) {
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
  }
}

describe.each(widths)('every page at %i px', (width) => {
  const found: string[] = [];
  const see = async (page: Page, name: string) => {
    found.push(...(await check(page, width, name)));
  };
  let owner: Seeded;
  let ownerSecret: string;

  it('signed out: sign in, create account, check your email, verify, the invitation pages, unreachable', async () => {
    const page = await web.newPage({ width });
    await page.goto(`${web.app.url}/`);
    await page.getByLabel('Email').waitFor();
    await see(page, '01-sign-in');
    await signInWithPassword(page, web.app.url, 'nobody@example.com', 'not the password');
    await page.getByRole('alert').filter({ hasText: 'don’t match' }).waitFor();
    await see(page, '02-sign-in-wrong-password');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').waitFor();
    await see(page, '03-create-account');
    const email = `new.${width}.${Date.now()}@example.com`;
    await page.getByLabel('Your name').fill('Nell New');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await see(page, '04-check-your-email');
    await page.goto(`${web.app.url}/verify-email#token=${linkToken(web, email, /^Verify your email/)}`);
    await page.getByRole('heading', { name: 'Email verified' }).waitFor();
    await see(page, '05-email-verified');
    await page.goto('about:blank'); // an emailed link opens a new page, never a hash change of this one
    await page.goto(`${web.app.url}/verify-email#token=used-or-unknown`);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await see(page, '06-verify-link-expired');

    owner = await seedUser(web, 'Orla Owner', 'Harbour Freight');
    ownerSecret = (await enrolTotp(web, owner)).secret;
    const guest = await web.newPage({ width });
    const newcomer = `newcomer.${width}.${Date.now()}@example.com`;
    await web.call('POST', `/api/v1/accounts/${owner.accountId}/members`, {
      token: owner.token,
      body: { email: newcomer, role: 'member' },
    });
    await guest.goto(`${web.app.url}/accept-invite#token=${linkToken(web, newcomer, /invited you to/)}`);
    await guest.getByLabel('Choose a password').waitFor();
    await see(guest, '07-accept-invitation-new-person');
    await guest.getByLabel('Your name').fill('Nico Newcomer');
    await guest.getByLabel('Choose a password').fill(PASSWORD);
    await guest.getByRole('button', { name: /^Create account and join/ }).click();
    await guest.getByRole('heading', { name: 'You joined Harbour Freight' }).waitFor();
    await see(guest, '08-invitation-accepted');

    const existing = await seedUser(web, 'Ezra Existing');
    await web.call('POST', `/api/v1/accounts/${owner.accountId}/members`, {
      token: owner.token,
      body: { email: existing.email, role: 'admin' },
    });
    const link = `${web.app.url}/accept-invite#token=${linkToken(web, existing.email, /invited you to/)}`;
    const other = await web.newPage({ width });
    await other.goto(link);
    await other.getByRole('link', { name: 'Sign in to accept' }).waitFor();
    await see(other, '09-accept-invitation-sign-in-first');
    await guest.goto(link);
    await guest.getByTestId('wrong-user').waitFor();
    await see(guest, '10-accept-invitation-wrong-user');
    await other.getByRole('link', { name: 'Sign in to accept' }).click();
    await other.getByLabel('Password').fill(PASSWORD);
    await other.keyboard.press('Enter');
    await other.getByRole('button', { name: 'Join Harbour Freight' }).waitFor();
    await see(other, '11-accept-invitation-one-button');
    await other.getByRole('button', { name: 'Join Harbour Freight' }).click();
    await other.getByText('You are now an admin of Harbour Freight').waitFor();
    await other.goto('about:blank');
    await other.goto(`${web.app.url}/accept-invite#token=withdrawn-or-unknown`);
    await other.getByRole('heading', { name: 'This invitation can’t be used' }).waitFor();
    await see(other, '12-invitation-cannot-be-used');

    const offline = await web.newPage({ width });
    await offline.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
    await offline.goto(`${web.app.url}/`);
    await offline.getByTestId('unreachable').waitFor();
    await see(offline, '13-cannot-reach-twofold');
    await offline.unroute('**/api/v1/**');
    await offline.getByLabel('Email').waitFor();
    expectNoProblems(web);
  });

  it('signing in: challenge, wrong code, backup code, lockout, forced setup and its backup codes', async () => {
    const user = await seedUser(web, 'Cleo Challenge');
    await enrolTotp(web, user);
    const page = await web.newPage({ width });
    await signInWithPassword(page, web.app.url, user.email);
    const field = page.getByLabel('6-digit code');
    await field.waitFor();
    await see(page, '14-challenge');
    await field.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText(/attempts left/).waitFor();
    await see(page, '15-challenge-wrong-code');
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await page.getByRole('textbox', { name: 'Backup code' }).waitFor();
    await see(page, '16-challenge-backup-code');
    for (let i = 0; i < 4 && !(await page.getByTestId('lockout').isVisible()); i++) {
      await page.getByRole('textbox', { name: 'Backup code' }).fill('AAAA-BBBB-CC');
      await Promise.all([page.waitForResponse((r) => r.url().includes('/verify')), page.getByRole('button', { name: 'Verify' }).click()]);
    }
    await page.getByTestId('lockout').waitFor();
    await see(page, '17-lockout');

    const member = await seedMember(web, owner, 'Milo Member');
    await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, { token: owner.token, body: { enforce: 'all' } });
    const setup = await web.newPage({ width });
    await signInWithPassword(setup, web.app.url, member.email);
    await setup.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await see(setup, '18-forced-setup-choose');
    await setup.getByRole('button', { name: /^Authenticator app/ }).click();
    const key = (await setup.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await see(setup, '19-forced-setup-scan');
    await setup.getByLabel('Enter the 6-digit code the app shows').fill(nextTotp(web, key));
    await setup.getByRole('heading', { name: 'Save your backup codes' }).waitFor();
    await see(setup, '20-forced-setup-backup-codes');
    expectNoProblems(web);
  });

  it('signed in: security settings and their dialogs, and the connection banner', async () => {
    const user = await seedUser(web, 'Sasha Settings');
    const page = await web.newPage({ width });
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByTestId('method-totp').waitFor();
    await see(page, '21-security');
    await page.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const key = (await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await see(page, '22-security-set-up-app');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(nextTotp(web, key));
    const codes = page.getByTestId('backup-codes-dialog');
    await codes.waitFor();
    await see(page, '23-security-first-backup-codes');
    await codes.getByLabel('I have saved them somewhere safe').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('method-email').getByRole('button', { name: 'Set up' }).click();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByText('We sent a code to').waitFor();
    await page.getByLabel('Enter the 6-digit code').fill(web.app.lastCode(user.email, 'email'));
    await page.getByTestId('method-email').getByRole('button', { name: 'Remove' }).waitFor();
    await page.getByTestId('method-email').getByRole('button', { name: 'Remove' }).click();
    await page.getByTestId('remove-method-dialog').waitFor();
    await see(page, '24-security-remove-method');
    await page.getByRole('button', { name: 'Keep it' }).click();
    web.app.clock.advance(11 * 60_000);
    await page.getByRole('button', { name: 'Show backup codes' }).click();
    await page.getByTestId('reauth-dialog').waitFor();
    await see(page, '25-security-confirm-its-you');
    await page.getByTestId('reauth-dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.getByTestId('connection-banner').waitFor();
    await see(page, '26-security-cannot-reach-twofold');
    await page.unroute('**/api/v1/**');
    await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
    expectNoProblems(web);
  });

  it('admin: members with invitations, policy, IP rules, API keys, audit log', async () => {
    const pending = await web.call('POST', `/api/v1/accounts/${owner.accountId}/members`, {
      token: owner.token,
      body: { email: `pending.${width}@example.com`, role: 'admin' },
    });
    expect(pending.status, JSON.stringify(pending.body)).toBe(201);
    const page = await web.newPage({ width });
    await signInWithPassword(page, web.app.url, owner.email);
    await page.getByLabel('6-digit code').fill(nextTotp(web, ownerSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('members-table').waitFor();
    await page.getByTestId('pending-invitations').waitFor();
    await see(page, '27-admin-members');
    const someone = page.locator('[data-testid^="member-"]').filter({ hasText: 'Ezra Existing' });
    await someone.getByText('Actions').click();
    await see(page, '28-admin-member-actions');
    await someone.getByText('Actions').click();

    await page.getByRole('link', { name: '2FA policy' }).click();
    await page.getByLabel(/^Everyone/).waitFor();
    await page.getByLabel(/^Everyone/).check();
    await see(page, '29-admin-policy');
    await page.getByRole('link', { name: 'IP rules' }).click();
    await page.getByLabel(/Allowed ranges/).waitFor();
    await see(page, '30-admin-ip-rules');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name').fill('Billing sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    await reauthIfAsked(page);
    await page.getByTestId('new-api-key').waitFor();
    await see(page, '31-admin-api-key-shown-once');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke Billing sync' }).click();
    await page.getByTestId('revoke-key-dialog').waitFor();
    await see(page, '32-admin-revoke-api-key');
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('link', { name: 'Audit log' }).click();
    const first = page.getByTestId('audit-table').locator('tbody.audit-event').first();
    await first.waitFor();
    await first.getByRole('button', { name: 'Details' }).click();
    await see(page, '33-admin-audit-log');
    expectNoProblems(web);
  });

  it('finds no serious or critical accessibility problem, nothing outside a landmark, no sideways scrolling', () => {
    expect(found).toEqual([]);
  });
});
