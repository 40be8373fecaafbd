// The web app's side of the hardening (issue 11): the trusted-device token stays out of page scripts' reach, and
// adding a method long after signing in asks for the password first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  enrolTotp,
  expectNoProblems,
  logOut,
  nextTotp,
  PASSWORD,
  seedUser,
  signInWithPassword,
  startWeb,
  type WebHarness,
} from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('hardening');
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

describe('the trusted-device token', () => {
  it('device token stolen by a page script: it lives only in the HttpOnly cookie, never in page storage, and still skips the code', async () => {
    // Attack: any script running in the page (an injected one, a compromised dependency) reads localStorage,
    // sessionStorage and document.cookie and carries the "remember this device" token away.
    const user = await seedUser(web, 'Dev Token');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await passTotp(page, secret, true);

    const device = (await page.context().cookies(`${web.app.url}/api/v1/auth/login`)).find((c) => c.name === 'twofold_device');
    expect(device).toMatchObject({ httpOnly: true, path: '/api/v1/auth', sameSite: 'Lax' });
    expect(device!.value.length).toBeGreaterThanOrEqual(40);
    const readable = await page.evaluate(() =>
      JSON.stringify({
        local: Object.entries(localStorage),
        session: Object.entries(sessionStorage),
        cookie: document.cookie,
      }),
    );
    expect(readable).not.toContain(device!.value);

    // The browser sends the cookie itself: after logging out, the password alone signs this device in.
    await logOut(page);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByLabel('6-digit code').count()).toBe(0);
    expect(
      await page.evaluate(() => JSON.stringify({ local: Object.entries(localStorage), session: Object.entries(sessionStorage) })),
    ).not.toContain(device!.value);
    expectNoProblems(web);
  });
});

describe('adding a method while 2FA is on', () => {
  it('past the reauth window, setting up another method asks for the password first, then goes on', async () => {
    const user = await seedUser(web, 'Add Later');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await passTotp(page, secret);
    web.app.clock.advance(11 * 60_000); // the sign-in's own 10-minute proof has passed

    const sentBefore = web.app.outbox().filter((m) => m.to === user.email).length;
    await page.getByTestId('method-email').getByRole('button', { name: 'Set up' }).click();
    await page.getByRole('button', { name: 'Send code' }).click();
    const reauth = page.getByTestId('reauth-dialog');
    await reauth.waitFor();
    await reauth.getByLabel('Password').fill(PASSWORD);
    await reauth.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('We sent a code to').waitFor();
    expect(web.app.outbox().filter((m) => m.to === user.email).length).toBe(sentBefore + 1);
    await page.getByLabel('Enter the 6-digit code').fill(web.app.lastCode(user.email, 'email')); // the sixth digit sends it
    await expect.poll(() => page.getByTestId('method-email').textContent()).toContain('On');
    expectNoProblems(web);
  });
});
