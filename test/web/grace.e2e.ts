// Grace periods and low backup codes in Chromium: the owner enforces with a grace (the preview names the date, the
// members list shows who is due and then who is overdue); a member in grace is offered setup, may set it up later,
// sees the banner on every page with the days left, sets it up from the banner; when the date passes the open page
// turns into setup; a person down to few backup codes is told so after the challenge and on the Security page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  enrolTotp,
  expectNoProblems,
  nextTotp,
  PASSWORD,
  seedMember,
  seedUser,
  signInWithPassword,
  startWeb,
  type Seeded,
  type WebHarness,
} from './e2e-helpers.ts';

const DAY = 24 * 60 * 60_000;
let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('grace');
});
afterAll(async () => {
  await web?.close();
});

/** A page in en-GB on UTC whose clock reads the API's (the banner counts days from the browser's clock). */
async function pageAtServerTime(width = 1100): Promise<Page> {
  const page = await web.newPage({ width, locale: 'en-GB', timezoneId: 'UTC' });
  await page.clock.setFixedTime(web.app.clock.now());
  return page;
}

/** "12 March" as the pages say it in en-GB on UTC (with the year when it is not the API clock's year). */
const dayMonth = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    ...(new Date(ms).getUTCFullYear() === new Date(web.app.clock.now()).getUTCFullYear() ? {} : { year: 'numeric' }),
  }).format(ms);

/** Enforces 2FA for everyone with a grace period through the API, confirming with the emailed code; answers when it applied. */
async function enforceWithGrace(owner: Seeded, days: number): Promise<number> {
  const put = await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, {
    token: owner.token,
    body: { enforce: 'all', gracePeriodDays: days },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(202);
  const ok = await web.call('POST', `/api/v1/accounts/${owner.accountId}/security/2fa-policy/confirm`, {
    token: owner.token,
    body: { confirmationId: put.body.confirmationId, code: web.app.lastCode(owner.email, 'email') },
  });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return web.app.clock.now();
}

async function reauthIfAsked(page: Page) {
  const dialog = page.getByTestId('reauth-dialog');
  if (await dialog.isVisible().catch(() => false)) {
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
  }
}

async function signInOwnerWithTotp(page: Page, email: string, secret: string) {
  await signInWithPassword(page, web.app.url, email);
  await page.getByLabel('6-digit code').fill(nextTotp(web, secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Security' }).waitFor();
}

describe('grace periods', () => {
  it('a member in grace: offered setup, "set up later", the banner on every page with the days left, setup from the banner', async () => {
    const owner = await seedUser(web, 'Greta Grace', 'Lighthouse Co');
    await enrolTotp(web, owner);
    const member = await seedMember(web, owner, 'Milo Later');
    const due = (await enforceWithGrace(owner, 5)) + 5 * DAY;

    const page = await pageAtServerTime();
    await signInWithPassword(page, web.app.url, member.email);
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await page.getByTestId('setup-due').textContent()).toBe(
      `Set it up by ${dayMonth(due)}, 5 days from now. Until then you can continue without it.`,
    );
    expect(await page.getByRole('button', { name: 'Not now — sign out' }).count()).toBe(0);
    await web.shot(page, '01-offered-setup');

    await page.getByRole('button', { name: 'Set up later' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    const banner = page.getByTestId('grace-banner');
    expect(await banner.textContent()).toBe(
      `Your account requires two-factor authentication by ${dayMonth(due)}, 5 days from now — Set it up now`,
    );
    await web.shot(page, '02-banner-security');
    // Every page: after a reload (no second offer: "later" holds for this tab), and on a narrow screen.
    await page.reload();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await banner.waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    await web.shot(page, '03-banner-390px');
    await page.setViewportSize({ width: 1100, height: 800 });

    await banner.getByRole('link', { name: 'Set it up now' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/setup');
    await page.getByRole('button', { name: /Authenticator app/ }).click();
    const key = (await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(nextTotp(web, key)); // the sixth digit sends it
    await page.getByRole('heading', { name: 'Save your backup codes' }).waitFor();
    await page.getByRole('button', { name: 'Print' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('2fa-status').textContent()).toBe('On');
    expect(await page.getByTestId('grace-banner').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/security');
    await web.shot(page, '04-set-up-from-banner');
    expectNoProblems(web);
  });

  it('when the due date passes, the open page turns into setup, and sign-in asks for it too', async () => {
    const owner = await seedUser(web, 'Otto Owner', 'Deadline Ltd');
    await enrolTotp(web, owner);
    const member = await seedMember(web, owner, 'Pia Past');
    const due = (await enforceWithGrace(owner, 1)) + DAY;

    // Signed in ten minutes before the date, having chosen "later".
    web.app.clock.set(due - 10 * 60_000);
    const page = await pageAtServerTime();
    await signInWithPassword(page, web.app.url, member.email);
    await page.getByRole('button', { name: 'Set up later' }).click();
    const lastDay = dayMonth(due) === dayMonth(due - 10 * 60_000) ? 'today' : 'tomorrow';
    expect(await page.getByTestId('grace-banner').textContent()).toContain(lastDay);
    await web.shot(page, '05-banner-last-day');

    web.app.clock.set(due + 60_000);
    await page.reload();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await page.getByRole('button', { name: 'Set up later' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Not now — sign out' }).count()).toBe(1);
    expect(await page.getByTestId('setup-due').count()).toBe(0);
    await web.shot(page, '06-due-date-passed');
    expectNoProblems(web);
  });

  it('the admin sets a grace period with the impact preview, confirms it, and sees who is due and then who is overdue', async () => {
    const owner = await seedUser(web, 'Ada Admin', 'Preview Partners');
    const { secret } = await enrolTotp(web, owner);
    const names = ['Ben Due', 'Cleo Due', 'Dev Due'];
    for (const name of names) await seedMember(web, owner, name);

    const page = await pageAtServerTime();
    await signInOwnerWithTotp(page, owner.email, secret);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: '2FA policy' }).click();
    await page.getByLabel(/^Everyone/).check();
    await page.getByLabel('Days to set it up (grace period)').fill('7');
    const deadlines = page.getByTestId('impact-deadlines');
    await deadlines.waitFor();
    const expected = dayMonth(web.app.clock.now() + 7 * DAY);
    expect(await deadlines.textContent()).toContain(`3 members will have until ${expected}`);
    for (const name of names) expect(await deadlines.textContent()).toContain(name);
    await web.shot(page, '07-admin-preview');

    await page.getByRole('button', { name: 'Save policy' }).click();
    await reauthIfAsked(page);
    await page.getByRole('heading', { name: 'Confirm this change' }).waitFor();
    await page.getByLabel('Confirmation code').fill(web.app.lastCode(owner.email, 'email'));
    await page.getByRole('button', { name: 'Confirm change' }).click();
    await page.getByText('Policy change confirmed and saved.').waitFor();
    expect(await page.getByLabel('Days to set it up (grace period)').inputValue()).toBe('7');

    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByTestId('members-table').waitFor();
    expect(await page.getByTestId('member-due').allTextContents()).toEqual(names.map(() => `Due by ${expected}`));
    await web.shot(page, '08-members-due');

    // Eight days later every session has ended; the owner signs in again and finds the three overdue.
    web.app.clock.advance(8 * DAY);
    const later = await pageAtServerTime();
    await signInOwnerWithTotp(later, owner.email, secret);
    await later.getByRole('link', { name: 'Admin' }).click();
    await later.getByTestId('members-table').waitFor();
    expect(await later.getByTestId('member-overdue').allTextContents()).toEqual(names.map(() => `Overdue since ${expected}`));
    expect(await later.getByText('3 overdue', { exact: false }).count()).toBe(1);
    await web.shot(later, '09-members-overdue');
    expectNoProblems(web);
  });
});

describe('low backup codes', () => {
  it('after a backup code leaves 2, the challenge says so and the Security page offers new codes', async () => {
    const user = await seedUser(web, 'Lou Lowcodes');
    const { backupCodes } = await enrolTotp(web, user);
    // Seven codes were used earlier (through the API), leaving three.
    for (const code of backupCodes.slice(0, 7)) {
      const login = await web.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
      const used = await web.call('POST', `/api/v1/auth/challenge/${login.body.challengeId}/verify`, {
        body: { method: 'backup_code', code },
      });
      expect(used.status, JSON.stringify(used.body)).toBe(200);
    }

    const page = await pageAtServerTime();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await page.getByLabel('Backup code', { exact: true }).fill(backupCodes[7]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'You’re signed in' }).waitFor();
    expect(await page.getByTestId('backup-codes-remaining').textContent()).toBe('You used a backup code. You have 2 backup codes left.');
    await web.shot(page, '10-challenge-codes-left');
    await page.getByRole('button', { name: 'Continue' }).click();

    const low = page.getByTestId('low-backup-codes');
    await low.waitFor();
    expect(await low.textContent()).toContain('2 backup codes left — make new ones');
    await web.shot(page, '11-security-low-codes');
    await low.getByRole('button', { name: 'make new ones' }).click();
    await page.getByRole('dialog', { name: 'Create new backup codes?' }).getByRole('button', { name: 'Create new codes' }).click();
    await reauthIfAsked(page);
    const fresh = page.getByRole('dialog', { name: 'Your new backup codes' });
    await fresh.getByLabel('I have saved them somewhere safe').check();
    await fresh.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('backup-remaining').textContent()).toBe('10');
    expect(await page.getByTestId('low-backup-codes').count()).toBe(0);
    expect(web.app.outbox().filter((m) => m.to === user.email && m.subject === 'You have 2 backup codes left for Twofold')).toHaveLength(1);
    expectNoProblems(web);
  });
});
