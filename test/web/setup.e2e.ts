// Forced setup: an account requires 2FA of a member who has none; they set it up at sign-in, keep their
// backup codes, and land signed in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { addMember, enrolTotp, expectNoProblems, seedUser, signInWithPassword, startWeb, type WebHarness } from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('setup');
});
afterAll(async () => {
  await web?.close();
});

describe('forced setup', () => {
  it('says which account requires it and why, walks through the app, and gates on the backup codes', async () => {
    const owner = await seedUser(web, 'Olive Owner', 'Acme Logistics');
    await enrolTotp(web, owner);
    const member = await seedUser(web, 'Milo Member');
    await addMember(web, owner, member);
    const policy = await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, {
      token: owner.token,
      body: { enforce: 'all', allowedMethods: ['totp', 'email'] },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);

    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, member.email);
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await page.getByTestId('required-by').textContent()).toContain(
      'Acme Logistics requires this because it requires two-factor authentication for everyone',
    );
    const choices = await page.locator('[data-method]').evaluateAll((els) => els.map((e) => e.getAttribute('data-method')));
    expect(choices).toEqual(['totp', 'email']);
    await web.shot(page, '01-choose');

    await page.getByRole('button', { name: /Authenticator app/ }).click();
    const key = await page.getByTestId('totp-secret').textContent();
    expect(key).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    expect(await page.getByRole('img', { name: 'QR code for your authenticator app' }).getAttribute('src')).toMatch(
      /^data:image\/svg\+xml;base64,/,
    );
    await web.shot(page, '02-scan');
    web.app.clock.advance(30_000);
    // The sixth digit sends the code: no button to press.
    await page.getByLabel('Enter the 6-digit code the app shows').fill(generateTotp(key!.replace(/ /g, ''), web.app.clock.now()));

    await page.getByRole('heading', { name: 'Save your backup codes' }).waitFor();
    expect(await page.getByTestId('backup-codes').locator('li').count()).toBe(10);
    const next = page.getByRole('button', { name: 'Continue' });
    expect(await next.isDisabled()).toBe(true);
    await web.shot(page, '03-backup-codes-gate');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.txt$/);
    expect(await next.isDisabled()).toBe(false);
    await next.click();

    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('2fa-status').textContent()).toBe('On');
    expect(await page.getByTestId('disable-reason').textContent()).toContain('Acme Logistics requires it');
    expect(await page.getByRole('button', { name: 'Turn off two-factor authentication' }).isDisabled()).toBe(true);
    await web.shot(page, '04-dashboard');
    expectNoProblems(web);
  });

  it('sends a signed-in user to setup when their account starts requiring 2FA, and enrols on their session', async () => {
    const owner = await seedUser(web, 'Sid Session', 'Session Co');
    const member = await seedUser(web, 'Nia Newcomer');
    await addMember(web, owner, member, 'admin');
    // The owner enrols (by API) and requires 2FA of owners and admins; the admin is signed in meanwhile.
    const memberPage = await web.newPage();
    await signInWithPassword(memberPage, web.app.url, member.email);
    await memberPage.getByRole('heading', { name: 'Security' }).waitFor();
    await enrolTotp(web, owner);
    const policy = await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, {
      token: owner.token,
      body: { enforce: 'admins' },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);

    await memberPage.reload();
    await memberPage.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await memberPage.getByTestId('required-by').textContent()).toContain(
      'Session Co requires this because it requires two-factor authentication for owners and admins',
    );
    await memberPage.getByRole('button', { name: /Authenticator app/ }).click();
    const key = (await memberPage.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    web.app.clock.advance(30_000);
    await memberPage.getByLabel('Enter the 6-digit code the app shows').fill(generateTotp(key, web.app.clock.now()));
    await memberPage.getByRole('heading', { name: 'Save your backup codes' }).waitFor();
    await memberPage.getByRole('button', { name: 'Print' }).click();
    await memberPage.getByRole('button', { name: 'Continue' }).click();
    await memberPage.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await memberPage.getByTestId('2fa-status').textContent()).toBe('On');
    await web.shot(memberPage, '05-session-setup-done');
    expectNoProblems(web);
  });
});
