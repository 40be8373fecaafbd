// The admin dashboard: enforcing 2FA with an impact preview, loosening with an emailed code, and resetting
// a member or giving them a recovery code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  addMember,
  apiSignIn,
  seedMember,
  enrolTotp,
  expectNoProblems,
  nextTotp,
  PASSWORD,
  seedUser,
  signInWithPassword,
  startWeb,
  type WebHarness,
} from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('admin');
});
afterAll(async () => {
  await web?.close();
});

/** Sensitive calls may ask for the password again; answer when they do. */
async function reauthIfAsked(page: Page) {
  const dialog = page.getByTestId('reauth-dialog');
  if (await dialog.isVisible().catch(() => false)) {
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
  }
}

async function openTab(page: Page, name: string) {
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}

describe('admin dashboard', () => {
  it('enforces 2FA for everyone once the owner has it, with an impact preview; a member is then forced through setup; loosening needs the emailed code', async () => {
    const owner = await seedUser(web, 'Orla Owner', 'Harbour Freight');
    const member = await seedUser(web, 'Max Member');
    await addMember(web, owner, member);

    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, owner.email);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('members-table').waitFor();
    expect(await page.getByTestId(`member-${member.email}`).textContent()).toContain('Off');
    await web.shot(page, '01-members');

    await openTab(page, '2FA policy');
    await page.getByLabel(/^Everyone/).check();
    const preview = page.getByTestId('impact-preview');
    // The signed-in owner is the one blocking: told so in the first person, with the way out.
    expect(await preview.getByTestId('blocking-owners').textContent()).toContain('You must set up two-factor authentication yourself');
    expect(await page.getByRole('button', { name: 'Save policy' }).isDisabled()).toBe(true);
    await web.shot(page, '02-policy-blocked-by-owner');

    // The owner follows "Set up 2FA now" and enrols an authenticator app on the Security page.
    await preview.getByRole('link', { name: 'Set up 2FA now' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const key = (await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(nextTotp(web, key));
    const codes = page.getByTestId('backup-codes-dialog');
    await codes.getByLabel('I have saved them somewhere safe').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('2fa-status').textContent()).toBe('On');

    await page.getByRole('link', { name: 'Admin' }).click();
    await openTab(page, '2FA policy');
    await page.getByLabel(/^Everyone/).check();
    expect(await page.getByTestId('blocking-owners').count()).toBe(0);
    expect(await page.getByTestId('impact-members').textContent()).toContain('Max Member');
    await web.shot(page, '03-policy-impact');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await reauthIfAsked(page);
    await page.getByText('Policy saved').waitFor();
    // Turning 2FA on ended the owner's other sessions: check through a fresh one.
    owner.token = await apiSignIn(web, owner.email, key);
    const saved = await web.call('GET', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, { token: owner.token });
    expect(saved.body.enforce).toBe('all');

    // The member is now forced through setup, here by email.
    const memberPage = await web.newPage({ width: 360 });
    await signInWithPassword(memberPage, web.app.url, member.email);
    await memberPage.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await memberPage.getByTestId('required-by').textContent()).toContain('Harbour Freight');
    await web.shot(memberPage, '04-member-forced-setup-360px');
    await memberPage.getByRole('button', { name: /^Email/ }).click();
    await memberPage.getByRole('button', { name: 'Send code' }).click();
    await memberPage.getByText('We sent a code to').waitFor();
    await memberPage.getByLabel('Enter the 6-digit code').fill(web.app.lastCode(member.email, 'email'));
    await memberPage.getByRole('heading', { name: 'Save your backup codes' }).waitFor();
    await Promise.all([memberPage.waitForEvent('download'), memberPage.getByRole('button', { name: 'Download .txt' }).click()]);
    await memberPage.getByRole('button', { name: 'Continue' }).click();
    await memberPage.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await memberPage.getByTestId('2fa-status').textContent()).toBe('On');

    // Loosening back to optional waits for the code emailed to the owner.
    await page.reload();
    await page.getByLabel(/^Optional/).check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await reauthIfAsked(page);
    await page.getByRole('heading', { name: 'Confirm this change' }).waitFor();
    await web.shot(page, '05-confirm-loosening');
    const pending = await web.call('GET', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, { token: owner.token });
    expect(pending.body.enforce).toBe('all');
    await page.getByLabel('Confirmation code').fill(web.app.lastCode(owner.email, 'email'));
    await page.getByRole('button', { name: 'Confirm change' }).click();
    await page.getByText('Policy change confirmed').waitFor();
    const loosened = await web.call('GET', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, { token: owner.token });
    expect(loosened.body.enforce).toBe('off');
    expectNoProblems(web);
  });

  it('gives a member a recovery code with a live expiry, then resets their 2FA', async () => {
    const owner = await seedUser(web, 'Otto Owner', 'Quay Imports');
    const ownerTotp = await enrolTotp(web, owner);
    const member = await seedMember(web, owner, 'Mina Member');
    await enrolTotp(web, member);

    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, owner.email);
    await page.getByLabel('6-digit code').fill(nextTotp(web, ownerTotp.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    const row = page.getByTestId(`member-${member.email}`);
    await row.waitFor();

    await row.getByText('Actions').click();
    await row.getByRole('button', { name: 'Generate recovery code' }).click();
    await reauthIfAsked(page);
    const dialog = page.getByTestId('recovery-dialog');
    await dialog.waitFor();
    const code = (await dialog.getByTestId('recovery-code').textContent())!;
    const first = await dialog.getByTestId('countdown').textContent();
    // One hour, give or take the minutes the test clock was moved ahead of the browser's.
    expect(first).toMatch(/^(59:[0-5]\d|1:0[0-5]:[0-5]\d)$/);
    // It counts down: the text changes within the next second or so (waited for, not slept: under load a tick can
    // come late, and a fixed 1.2 s failed a CI run).
    await expect.poll(() => dialog.getByTestId('countdown').textContent(), { timeout: 15_000 }).not.toBe(first);
    await web.shot(page, '06-recovery-code');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // The member signs in with it.
    const memberPage = await web.newPage();
    await signInWithPassword(memberPage, web.app.url, member.email);
    await memberPage.getByRole('button', { name: 'Use a recovery code' }).click();
    await memberPage.getByRole('textbox', { name: 'Recovery code' }).fill(code);
    await memberPage.getByRole('button', { name: 'Verify' }).click();
    await memberPage.getByRole('heading', { name: 'Security' }).waitFor();

    // Reset: everything of the member ends; afterwards there is nothing left to reset.
    await row.getByText('Actions').click();
    await row.getByRole('button', { name: 'Reset 2FA' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset 2FA' }).click();
    await reauthIfAsked(page);
    await page.getByText('Two-factor authentication reset for Mina Member').waitFor();
    expect(await row.textContent()).toContain('Off');
    await row.getByText('Actions').click();
    expect(await row.getByRole('button', { name: 'Reset 2FA' }).isDisabled()).toBe(true);
    expect(await row.textContent()).toContain('Nothing to reset');
    await web.shot(page, '07-reset-greyed-out');
    const me = await web.call('GET', '/api/v1/me/2fa', { token: member.token });
    expect(me.status).toBe(401);

    await openTab(page, 'Audit log');
    await page.getByTestId('audit-table').locator('tbody.audit-event').first().waitFor();
    expect(await page.getByTestId('audit-table').locator('tbody.audit-event').count()).toBeGreaterThan(1);
    await web.shot(page, '08-audit-log');
    expectNoProblems(web);
  });

  it('shows a new API key once, saves IP rules, and pages and filters the audit log', async () => {
    const owner = await seedUser(web, 'Ida Integrations', 'Pier Systems');
    // Enough events for a second page of the audit log.
    for (let i = 0; i < 52; i++) {
      const put = await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/ip-rules`, {
        token: owner.token,
        body: { apiAllowedRanges: [`10.0.${i}.0/24`] },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, owner.email);
    await page.getByRole('link', { name: 'Admin' }).click();
    await openTab(page, 'API keys');
    await page.getByLabel('Key name').fill('Billing sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    await reauthIfAsked(page);
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    const key = (await shown.locator('code').textContent())!;
    expect(key.length).toBeGreaterThan(20);
    await web.shot(page, '09-api-key-once');
    // Never shown again.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByText('Billing sync').count()).toBe(1);
    expect(await page.getByText(key).count()).toBe(0);

    await openTab(page, 'IP rules');
    await page.getByLabel('Allowed ranges (one CIDR range a line)').fill('127.0.0.1/32\n10.1.0.0/16');
    await page.getByRole('button', { name: 'Save IP rules' }).click();
    await reauthIfAsked(page);
    await page.getByText('IP rules saved.').waitFor();
    const rules = await web.call('GET', `/api/v1/accounts/${owner.accountId}/security/ip-rules`, { token: owner.token });
    expect(rules.body.apiAllowedRanges).toEqual(['127.0.0.1/32', '10.1.0.0/16']);
    // The key works from the allowed address.
    const calls = await web.call('GET', `/api/v1/accounts/${owner.accountId}/calls`, { token: key });
    expect(calls.status).toBe(200);

    await openTab(page, 'Audit log');
    const rows = page.getByTestId('audit-table').locator('tbody.audit-event');
    await rows.first().waitFor();
    const firstPage = await rows.count();
    expect(firstPage).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    await page.getByLabel('Event type').selectOption('api_key.created');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ida Integrations created the API key “Billing sync”');
    await web.shot(page, '10-audit-filtered');
    expectNoProblems(web);
  });
});
