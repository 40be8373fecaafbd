// Security keys and passkeys in Chromium, with the DevTools protocol's virtual authenticator (ctap2, internal
// transport, user verification) and the app served at http://localhost:PORT (WebAuthn refuses an IP address as
// relying party): add a key, sign out, sign in with it, remove it; and a "security keys only" policy that the
// owner sets in the admin dashboard, sending a member who has only the app to add a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  enrolTotp,
  expectNoProblems,
  logOut,
  nextTotp,
  PASSWORD,
  seedMember,
  seedUser,
  signInWithPassword,
  startWeb,
  type WebHarness,
} from './e2e-helpers.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('keys', { hostname: 'localhost' });
});
afterAll(async () => {
  await web?.close();
});

/** A virtual platform authenticator for this page, as a laptop's built-in passkey provider would be. */
async function addVirtualAuthenticator(page: Page): Promise<{ credentials(): Promise<unknown[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

async function reauthIfAsked(page: Page) {
  const dialog = page.getByTestId('reauth-dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

describe('security keys in the web app', () => {
  it('adds a key, signs out, signs in with it, and removes it', async () => {
    const user = await seedUser(web, 'Kai Keyholder');
    const page = await web.newPage();
    const authenticator = await addVirtualAuthenticator(page);
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
    const card = page.getByTestId('security-keys');
    await card.getByRole('button', { name: 'Add a security key' }).click();
    await card.getByLabel('Name this key').fill('Laptop passkey');
    await web.shot(page, '01-add');
    await card.getByRole('button', { name: 'Add key' }).click();
    // The first method turns 2FA on: the backup codes come first.
    const codes = page.getByTestId('backup-codes-dialog');
    await codes.getByLabel('I have saved them somewhere safe').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    await card.getByTestId('key-list').getByText('Laptop passkey').waitFor();
    expect(await card.getByTestId('key-list').textContent()).toContain('never used yet');
    expect(await page.getByTestId('2fa-status').textContent()).toBe('On');
    expect(await authenticator.credentials()).toHaveLength(1);
    await web.shot(page, '02-listed');

    await logOut(page);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Use your security key' }).waitFor();
    await web.shot(page, '03-challenge');
    await page.getByRole('button', { name: 'Use your security key' }).click();
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
    await card.getByTestId('key-list').getByText('last used').waitFor();

    // The sign-in proof goes stale; removing asks to confirm, then for the password.
    web.app.clock.advance(11 * 60_000);
    await card.getByRole('button', { name: 'Remove Laptop passkey' }).click();
    const confirm = page.getByTestId('remove-key-dialog');
    expect(await confirm.textContent()).toContain('It is your only key.');
    await web.shot(page, '04-remove-confirm');
    await confirm.getByRole('button', { name: 'Remove key' }).click();
    await reauthIfAsked(page);
    await page.getByText('Laptop passkey removed.').waitFor();
    expect(await card.getByTestId('key-list').count()).toBe(0);
    expect(await page.getByTestId('2fa-status').textContent()).toBe('Off');
    expectNoProblems(web);
  });

  it('an owner requires security keys only; a member with only the app is sent to add a key', async () => {
    // The owner has the app and a key (made through the API with a software authenticator for this origin).
    const owner = await seedUser(web, 'Opal Owner', 'Keyed Co');
    const { secret: ownerSecret } = await enrolTotp(web, owner);
    const soft = new SoftAuthenticator(web.app.url);
    const options = await web.call('POST', '/api/v1/me/2fa/webauthn/options', { token: owner.token });
    const added = await web.call('POST', '/api/v1/me/2fa/webauthn', {
      token: owner.token,
      body: { name: 'Owner key', response: soft.register(options.body.options).response },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const member = await seedMember(web, owner, 'Tess Totp');
    const { secret: memberSecret } = await enrolTotp(web, member);

    // The owner's browser has no key: their challenge offers the key first and falls back to the app.
    const ownerPage = await web.newPage();
    await signInWithPassword(ownerPage, web.app.url, owner.email);
    await ownerPage.getByRole('heading', { name: 'Use your security key' }).waitFor();
    await ownerPage.getByRole('button', { name: 'Use your authenticator app instead' }).click();
    await ownerPage.getByLabel('6-digit code').fill(nextTotp(web, ownerSecret));
    await ownerPage.getByRole('button', { name: 'Verify' }).click();
    await ownerPage.getByRole('heading', { name: 'Security', exact: true }).waitFor();
    await ownerPage.getByRole('link', { name: 'Admin' }).click();
    await ownerPage.getByRole('link', { name: '2FA policy' }).click();
    await ownerPage.getByRole('heading', { name: 'Two-factor authentication policy' }).waitFor();
    await ownerPage.locator('input[name=enforce][value=all]').check();
    await ownerPage.getByRole('button', { name: 'Require security keys only' }).click();
    await ownerPage.getByTestId('keys-only').waitFor();
    const preview = ownerPage.getByTestId('impact-preview');
    expect(await preview.textContent()).toContain('Security keys only: 1 member has no security key yet');
    expect(await preview.getByTestId('impact-members').textContent()).toContain('Tess Totp');
    await web.shot(ownerPage, '05-keys-only-preview');
    await ownerPage.getByRole('button', { name: 'Save policy' }).click();
    await ownerPage.getByText('Policy saved').waitFor();
    const saved = await web.call('GET', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, { token: owner.token });
    expect(saved.body).toMatchObject({ enforce: 'all', allowedMethods: ['webauthn'] });

    // Tess passes her app code, then can only add a key.
    const page = await web.newPage();
    await addVirtualAuthenticator(page);
    await signInWithPassword(page, web.app.url, member.email);
    await page.getByLabel('6-digit code').fill(nextTotp(web, memberSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(await page.getByTestId('required-by').textContent()).toContain('Keyed Co requires this');
    await page.getByRole('heading', { name: 'Security key or passkey' }).waitFor();
    await web.shot(page, '06-setup-key');
    await page.getByLabel('Name this key').fill('Tess laptop');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
    await page.getByTestId('key-list').getByText('Tess laptop').waitFor();
    expectNoProblems(web);
  });
});
