// Membership by consent, in the web app against the real API: create an account in the UI and verify the email
// from the outbox; invite a new person and an existing user, who each accept through the emailed link; the wrong
// signed-in user, a withdrawn invitation, and tokens that never reach a server in a URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoProblems, PASSWORD, seedUser, signInWithPassword, startWeb, type WebHarness } from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('consent');
});
afterAll(async () => {
  await web?.close();
});

/** The newest emailed link to `to` whose path is `path` (from the outbox body, as the person would click it). */
function emailedLink(to: string, path: '/verify-email' | '/accept-invite'): { url: string; token: string } {
  const message = web.app
    .outbox()
    .filter((m) => m.channel === 'email' && m.to === to && m.body.includes(`${path}#token=`))
    .pop();
  if (!message) throw new Error(`no ${path} link was emailed to ${to}`);
  const url = new RegExp(`(https?://\\S+${path}#token=([A-Za-z0-9_-]+))`).exec(message.body)!;
  return { url: url[1]!, token: url[2]! };
}

/** Every URL the page asks a server for, to prove that no token travels in one. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

const uniqueEmail = (name: string) => `${name}.${Math.random().toString(36).slice(2, 8)}@example.com`;

async function openMembers(page: Page) {
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByTestId('members-table').waitFor();
}

async function invite(page: Page, email: string, role: 'Member' | 'Admin' = 'Member') {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Role').selectOption({ label: role });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page
    .getByTestId('invite-sent')
    .filter({ hasText: `Invitation sent to ${email}` })
    .waitFor();
}

describe('membership by consent', () => {
  let owner: { email: string; page: Page };

  it('creates an account in the UI, then verifies the email from the outbox', async () => {
    const email = uniqueEmail('grace');
    const page = await web.newPage({ width: 1280 });
    const requests = recordRequests(page);
    await page.goto(`${web.app.url}/`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your Twofold account' }).waitFor();
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel(/Team or company name/).fill('Harbour Freight');
    await web.shot(page, '01-create-account');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByTestId('check-email-address').textContent()).toBe(email);
    expect(await page.getByRole('heading', { name: 'Nothing arrived?' }).count()).toBe(1);
    await web.shot(page, '02-check-your-email');
    const first = emailedLink(email, '/verify-email');
    // The API holds resends back for a minute; the button shows the wait instead of failing.
    web.app.clock.advance(61_000);
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await page.getByText('We sent a new link to').waitFor();
    expect(await page.getByRole('button', { name: 'Send the link again' }).isDisabled()).toBe(true);
    await web.shot(page, '03-check-your-email-resent');
    const link = emailedLink(email, '/verify-email');
    expect(link.token).not.toBe(first.token);

    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Email verified' }).waitFor();
    // The token left the address bar and never went to a server in a URL.
    expect(page.url()).toBe(`${web.app.url}/verify-email`);
    expect(requests.filter((u) => u.includes(link.token) || u.includes(first.token))).toEqual([]);
    await web.shot(page, '04-email-verified');
    await page.getByRole('button', { name: 'Continue to Twofold' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();

    // The first link was replaced by the second: it says so, in a fresh browser, and offers to sign in.
    const other = await web.newPage({ width: 1280 });
    await other.goto(first.url);
    await other.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await web.shot(other, '05-verify-link-expired');
    owner = { email, page };
    expectNoProblems(web);
  });

  it('invites a new person, who sets a name and password through the link and is signed in', async () => {
    const { page } = owner;
    await openMembers(page);
    const email = uniqueEmail('alan');
    await invite(page, email);
    await page.getByTestId(`invitation-${email}`).waitFor();
    await web.shot(page, '06-invitation-sent');

    const link = emailedLink(email, '/accept-invite');
    const guest = await web.newPage({ width: 1280 });
    const requests = recordRequests(guest);
    await guest.goto(link.url);
    await guest.getByRole('heading', { name: 'Join Harbour Freight on Twofold' }).waitFor();
    expect(guest.url()).toBe(`${web.app.url}/accept-invite`);
    const preview = guest.getByTestId('invitation-preview');
    expect(await preview.textContent()).toContain(`Grace Hopper (${owner.email}) invited ${email} to join Harbour Freight as a member`);
    expect(await guest.getByTestId('account-may').textContent()).toContain('reset your two-factor authentication');
    await web.shot(guest, '07-accept-invitation-new-person');
    await guest.getByLabel('Your name').fill('Alan Turing');
    await guest.getByLabel('Choose a password').fill(PASSWORD);
    await guest.getByRole('button', { name: 'Create account and join Harbour Freight' }).click();
    await guest.getByRole('heading', { name: 'You joined Harbour Freight' }).waitFor();
    await web.shot(guest, '08-invitation-accepted');
    await guest.getByRole('button', { name: 'Continue to Twofold' }).click();
    await guest.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await guest.getByTestId('user-name').textContent()).toBe('Alan Turing');
    expect(requests.filter((u) => u.includes(link.token))).toEqual([]);

    // The owner sees them as a member the account manages: reset is offered.
    await page.reload();
    const row = page.getByTestId(`member-${email}`);
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Joined with their own Twofold sign-in');
    expect(await page.getByTestId(`invitation-${email}`).count()).toBe(0);
    expectNoProblems(web);
  });

  it('invites an existing user, who signs in first, comes back to the invitation and joins with one button', async () => {
    const existing = await seedUser(web, 'Ada Lovelace', 'Engines Ltd');
    const { page } = owner;
    await invite(page, existing.email, 'Admin');

    const link = emailedLink(existing.email, '/accept-invite');
    const guest = await web.newPage({ width: 1280 });
    const requests = recordRequests(guest);
    await guest.goto(link.url);
    await guest.getByRole('link', { name: 'Sign in to accept' }).waitFor();
    expect(await guest.getByTestId('account-may').textContent()).toContain('cannot reset your two-factor authentication');
    await web.shot(guest, '09-accept-invitation-sign-in-first');
    await guest.getByRole('link', { name: 'Sign in to accept' }).click();
    // The sign-in page has the invited email and waits in the password field.
    await guest.getByRole('heading', { name: 'Sign in to Twofold' }).waitFor();
    expect(await guest.getByLabel('Email').inputValue()).toBe(existing.email);
    await expect.poll(() => guest.evaluate(() => document.activeElement?.id)).toBe('login-password');
    await guest.keyboard.type(PASSWORD);
    await guest.keyboard.press('Enter');
    await guest.getByRole('button', { name: 'Join Harbour Freight' }).waitFor();
    expect(guest.url()).toBe(`${web.app.url}/accept-invite`);
    await web.shot(guest, '10-accept-invitation-one-button');
    await guest.getByRole('button', { name: 'Join Harbour Freight' }).click();
    await guest.getByText('You are now an admin of Harbour Freight').waitFor();
    expect(requests.filter((u) => u.includes(link.token))).toEqual([]);
    expect(await guest.evaluate(() => sessionStorage.getItem('twofold.inviteToken'))).toBeNull();

    // The owner's Members tab explains why reset and recovery are not offered for them.
    await page.reload();
    const row = page.getByTestId(`member-${existing.email}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Joined with their own Twofold sign-in');
    await row.getByText('Actions').click();
    expect(await row.getByRole('button', { name: 'Reset 2FA' }).count()).toBe(0);
    expect(await row.getByTestId('unmanaged-reason').textContent()).toContain('only the account they signed up with can reset');
    await web.shot(page, '11-members-not-managed');
    expectNoProblems(web);
  });

  it('tells the wrong signed-in user so, with a sign-out link that keeps the invitation', async () => {
    const intended = uniqueEmail('joan');
    const { page } = owner;
    await invite(page, intended);
    const link = emailedLink(intended, '/accept-invite');
    const stranger = await seedUser(web, 'Eve Stranger');
    const guest = await web.newPage({ width: 1280 });
    await signInWithPassword(guest, web.app.url, stranger.email);
    await guest.getByRole('heading', { name: 'Security' }).waitFor();
    await guest.goto(link.url);
    const wrong = guest.getByTestId('wrong-user');
    await wrong.waitFor();
    expect(await wrong.textContent()).toContain(`You’re signed in as ${stranger.email}, but this invitation is for ${intended}`);
    expect(await guest.getByRole('button', { name: /^Join/ }).count()).toBe(0);
    await web.shot(guest, '12-accept-invitation-wrong-user');
    await wrong.getByRole('link', { name: `Sign out of ${stranger.email}` }).click();
    // Signed out, still on the invitation: now it offers the new person's form.
    await guest.getByLabel('Choose a password').waitFor();
    expect(guest.url()).toBe(`${web.app.url}/accept-invite`);
    expectNoProblems(web);
  });

  it('a withdrawn invitation’s link says it cannot be used', async () => {
    const email = uniqueEmail('withdrawn');
    const { page } = owner;
    await invite(page, email);
    const link = emailedLink(email, '/accept-invite');
    const item = page.getByTestId(`invitation-${email}`);
    await item.getByRole('button', { name: `Withdraw the invitation to ${email}` }).click();
    const confirm = page.getByRole('dialog', { name: `Withdraw the invitation to ${email}?` });
    expect(await confirm.textContent()).toContain('will stop working');
    await confirm.getByRole('button', { name: 'Withdraw invitation' }).click();
    await expect.poll(() => item.count()).toBe(0);

    const guest = await web.newPage({ width: 1280 });
    await guest.goto(link.url);
    await guest.getByRole('heading', { name: 'This invitation can’t be used' }).waitFor();
    await web.shot(guest, '13-invitation-withdrawn');
    expectNoProblems(web);
  });
});
