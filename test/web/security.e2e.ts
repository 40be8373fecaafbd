// My account > Security: reveal and regenerate backup codes (with re-authentication), forget a trusted device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { enrolTotp, expectNoProblems, nextTotp, PASSWORD, seedUser, signInWithPassword, startWeb, type WebHarness } from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('security');
});
afterAll(async () => {
  await web?.close();
});

async function passTotp(page: Page, secret: string, remember = false) {
  const field = page.getByLabel('6-digit code');
  await field.waitFor();
  if (remember) await page.getByLabel('Remember this device').check();
  await field.fill(nextTotp(web, secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Security' }).waitFor();
}

const shownCodes = (page: Page) => page.getByTestId('backup-codes').locator('code').allTextContents();
const squash = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

describe('security settings', () => {
  it('reveals the backup codes after asking for the password again, and regenerates them', async () => {
    const user = await seedUser(web, 'Rhea Reveal');
    const { secret, backupCodes } = await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await passTotp(page, secret);
    await web.shot(page, '01-security');

    // The sign-in proof is older than 10 minutes: the API asks to re-authenticate.
    web.app.clock.advance(11 * 60_000);
    await page.getByRole('button', { name: 'Show backup codes' }).click();
    const reauth = page.getByTestId('reauth-dialog');
    await reauth.waitFor();
    await web.shot(page, '02-reauth');
    await reauth.getByLabel('Password').fill(PASSWORD);
    await reauth.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('backup-codes-dialog').waitFor();
    const revealed = await shownCodes(page);
    expect(revealed.map(squash).sort()).toEqual(backupCodes.map(squash).sort());
    await web.shot(page, '03-backup-codes');
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'Create new codes' }).click();
    const warning = page.getByRole('dialog', { name: 'Create new backup codes?' });
    expect(await warning.textContent()).toContain('stop working');
    await web.shot(page, '04-regenerate-warning');
    await warning.getByRole('button', { name: 'Create new codes' }).click();
    await page.getByRole('dialog', { name: 'Your new backup codes' }).waitFor();
    const fresh = await shownCodes(page);
    expect(fresh).toHaveLength(10);
    expect(fresh.map(squash).some((c) => backupCodes.map(squash).includes(c))).toBe(false);

    // The download is a .txt file holding the new codes.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('twofold-backup-codes.txt');
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    for (const code of fresh) expect(text).toContain(code);
    await web.shot(page, '05-new-codes');

    // An old code no longer signs in.
    const login = await web.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    const old = await web.call('POST', `/api/v1/auth/challenge/${login.body.challengeId}/verify`, {
      body: { method: 'backup_code', code: backupCodes[1] },
    });
    expect(old.status).toBe(401);
    expectNoProblems(web);
  });

  it('forgets a remembered device, so the next sign-in asks for a code again', async () => {
    const user = await seedUser(web, 'Dev Device');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await passTotp(page, secret, true);
    await page.getByTestId('devices').waitFor();
    expect(await page.getByTestId('devices').locator('li').count()).toBe(1);

    // Remembered: signing out and in again skips the code.
    await page.getByRole('button', { name: 'Log out' }).click();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await web.shot(page, '06-trusted-device');

    await page
      .getByTestId('devices')
      .getByRole('button', { name: /^Forget/ })
      .click();
    await page.getByTestId('no-devices').waitFor();
    await web.shot(page, '07-device-forgotten');

    await page.getByRole('button', { name: 'Log out' }).click();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByLabel('6-digit code').waitFor();
    expect(await page.getByRole('heading', { name: 'Enter the code from your app' }).count()).toBe(1);
    expectNoProblems(web);
  });
});
