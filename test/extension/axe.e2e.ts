// Accessibility of the dialer popup and the options page, in every state a person meets, at a desktop width
// (1280 px) and a phone width (390 px): axe finds no serious or critical violation. Screenshots of each go to
// test-results/extension-axe-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible as checkAccessible } from '../support/axe.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Call } from '../support/http.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';

const PASSWORD = 'correct horse battery staple 42';
const suffix = Math.random().toString(36).slice(2, 8);
const plain = `axel.${suffix}@example.com`;
const guarded = `ada.${suffix}@example.com`;

let app: TestApp;
let call: Call;
let ext: ExtensionBrowser;

const expectAccessible = (page: Page, name: string) => checkAccessible(page, `extension-axe-${name}`);

async function popupIn(state: string): Promise<Page> {
  const page = await ext.openPopup();
  await page.locator(`main.popup[data-state="${state}"]`).waitFor({ timeout: 10_000 });
  return page;
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  app = await startTestApp({ hostname: 'localhost' });
  call = client(app.url);
  for (const [email, name] of [
    [plain, 'Axel Axe'],
    [guarded, 'Ada Axe'],
  ] as const) {
    expect((await call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name } })).status).toBe(201);
  }
  const token = (await call('POST', '/api/v1/auth/login', { body: { email: guarded, password: PASSWORD } })).body.session.token as string;
  expect((await call('POST', '/api/v1/me/2fa/email', { token, body: {} })).status).toBe(202);
  expect((await call('POST', '/api/v1/me/2fa/email/verify', { token, body: { code: app.lastCode(guarded, 'email') } })).status).toBe(200);
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await app?.close();
});

describe('axe: no serious or critical violation', () => {
  it('the popup signed out, with its server warnings', async () => {
    const page = await popupIn('signed-out');
    await expectAccessible(page, 'popup-signed-out');
    await ext.useServer(app.url);
    await page.reload();
    await page.locator('main.popup[data-state="signed-out"]').waitFor();
    await page.getByLabel('Email').fill(plain);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    await expectAccessible(page, 'popup-sign-in-error');
    await page.close();
  });

  it('the popup at the challenge, and signed in', async () => {
    const page = await popupIn('signed-out');
    await signIn(page, guarded);
    await page.locator('main.popup[data-state="challenge"]').waitFor();
    await expectAccessible(page, 'popup-challenge');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('main.popup[data-state="signed-out"]').waitFor();
    await signIn(page, plain);
    await page.locator('main.popup[data-state="signed-in"]').waitFor();
    await page.getByText('No calls yet.').waitFor();
    await expectAccessible(page, 'popup-signed-in');
    await page.close();
  });

  it('the options page without a passphrase, with one, and locked', async () => {
    const page = await ext.context.newPage();
    await page.goto(ext.optionsUrl);
    await page.getByTestId('protection').waitFor();
    await expectAccessible(page, 'options-no-passphrase');
    await page.getByLabel('Passphrase', { exact: true }).fill('violet anchor seven rivers');
    await page.getByLabel('Type it again').fill('violet anchor seven rivers');
    await page.getByRole('button', { name: 'Set passphrase' }).click();
    await expect.poll(() => page.getByTestId('protection').getAttribute('data-protection')).toBe('passphrase');
    await page.getByText('Change or remove the passphrase').click();
    await expectAccessible(page, 'options-passphrase');
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByTestId('unlock-form').waitFor();
    await expectAccessible(page, 'options-locked');
    await page.close();
  });
});
