// What a person meets in the dialer popup (issue 12): the server is the one the extension was built for and
// changes only when they say so; an error keeps the typed password; right after setup, a filled code that was
// already spent is replaced by the next one, and the hint stays true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateTotp, totpStep } from '../../shared/totp.ts';
import { screenshot } from '../support/browser.ts';
import { expectAccessible } from '../support/axe.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { logOut } from '../web/e2e-helpers.ts';

const PASSWORD = 'correct horse battery staple 42';
const email = `pat.${Math.random().toString(36).slice(2, 8)}@example.com`;

let app: TestApp;
let ext: ExtensionBrowser;
let realTime: ReturnType<typeof setInterval>;
let secretForLater = '';

const popupState = (page: Page) => page.locator('main.popup').getAttribute('data-state');
const waitForState = (page: Page, state: string) => page.locator(`main.popup[data-state="${state}"]`).waitFor({ timeout: 10_000 });

beforeAll(async () => {
  app = await startTestApp({ webRoot: 'dist/web', hostname: 'localhost' });
  realTime = setInterval(() => app.clock.set(Date.now()), 20);
  const signup = await fetch(`${app.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, name: 'Pat Popup' }),
  });
  expect(signup.status).toBe(201);
  ext = await launchWithExtension();
});

afterAll(async () => {
  clearInterval(realTime);
  await ext?.close();
  await app?.close();
});

describe('the dialer popup', () => {
  it('opening another Twofold web app never changes the server: the popup offers it, and the person takes it', async () => {
    const web = await ext.context.newPage();
    await web.goto(`${app.url}/`);
    await web.getByLabel('Email').waitFor();
    const popup = await ext.openPopup();
    await waitForState(popup, 'signed-out');
    const offer = popup.getByTestId('other-server');
    await offer.waitFor();
    expect(await popup.getByTestId('server').textContent()).toContain('http://localhost:3000'); // still the built-for server
    expect(await offer.textContent()).toContain(app.url);
    await screenshot(popup, 'extension-popup-server-offered');
    await offer.getByRole('button', { name: 'Use it instead' }).click();
    await expect.poll(() => popup.getByTestId('server').textContent()).toContain(app.url);
    expect(await offer.count()).toBe(0);
    await popup.close();
    await web.close();
  });

  it("a popup drawn from its last view never sends that view's stale server back as the person's choice", async () => {
    const popup = await ext.openPopup(); // keeps its last view: the server is app.url
    await expect.poll(() => popup.getByTestId('server').textContent()).toContain(app.url);
    await ext.useServer('http://localhost:1'); // changed on the options page meanwhile
    await popup.reload();
    await expect.poll(() => popup.getByTestId('server').textContent()).toContain('http://localhost:1');
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('could not reach');
    const options = await ext.context.newPage();
    await options.goto(ext.optionsUrl);
    await expect.poll(() => options.getByTestId('current-server').textContent()).toContain('http://localhost:1');
    await options.close();
    await ext.useServer(app.url);
    await popup.close();
  });

  it('a failed sign-in keeps the typed password, so the person corrects rather than retypes', async () => {
    const popup = await ext.openPopup();
    await waitForState(popup, 'signed-out');
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill(`${PASSWORD}!`);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('alert').waitFor();
    expect(await popup.getByLabel('Password').inputValue()).toBe(`${PASSWORD}!`);
    expect(await popup.getByLabel('Email').inputValue()).toBe(email);
    await screenshot(popup, 'extension-popup-wrong-password');
    await popup.close();
  });

  it("right after setup the filled code was spent turning 2FA on: the next step's code is filled, and the hint says so", async () => {
    const web = await ext.context.newPage();
    await web.goto(`${app.url}/`);
    await web.getByLabel('Email').fill(email);
    await web.getByLabel('Password').fill(PASSWORD);
    await web.getByRole('button', { name: 'Sign in' }).click();
    await web.getByRole('button', { name: 'Log out' }).waitFor();
    await web.goto(`${app.url}/security`);
    await web.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const secret = (await web.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    const prompt = web.locator('twofold-keep-prompt');
    await prompt.getByRole('button', { name: 'Keep it' }).click();
    await prompt.getByRole('button', { name: 'Keep without' }).click();
    await expect.poll(() => prompt.locator('.body').textContent()).toContain('Kept');

    // Turn 2FA on with this step's code, at the start of a step, so the dialer's first fill is that spent code.
    await new Promise((r) => setTimeout(r, (totpStep(Date.now()) + 1) * 30_000 - Date.now() + 100));
    const step = totpStep(Date.now());
    // The sixth digit turns it on; the new backup codes must be kept before their dialog closes.
    await web.getByLabel('Enter the 6-digit code the app shows').fill(generateTotp(secret, Date.now()));
    const codes = web.getByTestId('backup-codes-dialog');
    await codes.getByLabel('I have saved them somewhere safe').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    await logOut(web);

    const popup = await ext.openPopup();
    await waitForState(popup, 'signed-out');
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await waitForState(popup, 'challenge');
    const code = popup.getByTestId('dialer-code');
    const hint = popup.getByTestId('code-hint');
    await expect.poll(() => code.inputValue()).toBe(generateTotp(secret, step * 30_000));
    expect(await hint.textContent()).toBe('Filled from the authenticator kept in this browser.');
    expect(totpStep(Date.now()), 'the flow took less than one step: the filled code is the spent one').toBe(step);
    await popup.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => code.inputValue()).toBe(generateTotp(secret, (step + 1) * 30_000));
    expect(await hint.textContent()).toContain('already used, so this is the next one');
    expect(await popup.getByRole('alert').count()).toBe(0);
    await screenshot(popup, 'extension-popup-next-code-filled');
    await code.fill('12');
    // A code the person typed is not "filled": the hint goes back to the method's own.
    expect(await hint.textContent()).toBe('Open your authenticator app and type the code shown for Twofold.');
    await code.fill(generateTotp(secret, (step + 1) * 30_000));
    await popup.getByRole('button', { name: 'Verify' }).click();
    await waitForState(popup, 'signed-in');
    expect(await popupState(popup)).toBe('signed-in');
    await popup.close();
    await web.close();
    secretForLater = secret;
  }, 120_000);

  it("a locked vault asks for the passphrase in the popup before the dialer's code is filled", async () => {
    const options = await ext.context.newPage();
    await options.goto(ext.optionsUrl);
    await options.getByLabel('Passphrase', { exact: true }).fill('quiet harbour paper lamp');
    await options.getByLabel('Type it again').fill('quiet harbour paper lamp');
    await options.getByRole('button', { name: 'Set passphrase' }).click();
    await options.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => options.getByTestId('protection').getAttribute('data-locked')).toBe('true');
    await options.close();

    const popup = await ext.openPopup();
    await waitForState(popup, 'signed-in');
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForState(popup, 'signed-out');
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await waitForState(popup, 'challenge');
    const unlock = popup.getByTestId('unlock-form');
    await unlock.waitFor();
    expect(await popup.getByTestId('dialer-code').inputValue()).toBe('');
    await expectAccessible(popup, 'extension-axe-popup-unlock-to-fill');
    await popup.setViewportSize({ width: 360, height: 600 });
    await unlock.getByLabel('Passphrase').fill('quiet harbour paper lamp');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => popup.getByTestId('dialer-code').inputValue()).toMatch(/^\d{6}$/);
    expect([generateTotp(secretForLater, Date.now()), generateTotp(secretForLater, Date.now() - 30_000)]).toContain(
      await popup.getByTestId('dialer-code').inputValue(),
    );
    expect(await unlock.count()).toBe(0);
    await popup.getByRole('button', { name: 'Cancel' }).click();
    await popup.close();
  });
});
