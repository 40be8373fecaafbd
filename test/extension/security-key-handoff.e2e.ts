// The dialer with a security key: an extension page cannot ask a key to sign for the web app's relying party, so
// the popup says so and opens the web app's challenge in a tab; the key answers there (the DevTools protocol's
// virtual authenticator, holding a credential registered through the API), and the shared session signs the
// popup in with no second prompt. The app is served at http://localhost:PORT, as WebAuthn needs a host name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Call } from '../support/http.ts';
import { screenshot } from '../support/browser.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';
import { SoftAuthenticator, type SoftKey } from '../support/soft-authenticator.ts';

const PASSWORD = 'correct horse battery staple 42';
const email = `kit.${Math.random().toString(36).slice(2, 8)}@example.com`;

let app: TestApp;
let call: Call;
let ext: ExtensionBrowser;
let key: SoftKey;
let realTime: ReturnType<typeof setInterval>;

/** A virtual platform authenticator for `page` that holds the user's key. */
async function authenticatorWithKey(page: Page): Promise<void> {
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
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: key.credentialId.toString('base64'),
      isResidentCredential: false,
      rpId: 'localhost',
      privateKey: key.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      signCount: key.signCount,
    },
  });
}

beforeAll(async () => {
  app = await startTestApp({ webRoot: 'dist/web', hostname: 'localhost' });
  realTime = setInterval(() => app.clock.set(Date.now()), 20);
  call = client(app.url);
  const signup = await call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Kit Keys' } });
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  const token = (await call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body.session.token as string;
  const soft = new SoftAuthenticator(app.url);
  const options = await call('POST', '/api/v1/me/2fa/webauthn/options', { token });
  const registered = soft.register(options.body.options);
  const added = await call('POST', '/api/v1/me/2fa/webauthn', { token, body: { name: 'Kit’s key', response: registered.response } });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  key = registered.key;
  await call('POST', '/api/v1/auth/logout', { token });
  ext = await launchWithExtension();
});

afterAll(async () => {
  clearInterval(realTime);
  await ext?.close();
  await app?.close();
});

describe('the dialer hands a security-key sign-in to the web app', () => {
  it('says so, opens the challenge in a tab, and is signed in once the tab passes it', async () => {
    const popup = await ext.openPopup();
    await popup.locator('main.popup[data-state="signed-out"]').waitFor();
    await popup.getByRole('button', { name: 'Change' }).click();
    await popup.getByLabel('Twofold server').fill(app.url);
    await popup.getByLabel('Email').fill(email);
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    const handoff = popup.getByTestId('key-handoff');
    await handoff.waitFor();
    expect(await handoff.textContent()).toContain('It works in the Twofold web app, not in this popup.');
    await screenshot(popup, 'extension-key-01-handoff');

    const [tab] = await Promise.all([
      ext.context.waitForEvent('page'),
      handoff.getByRole('button', { name: 'Continue in the web app' }).click(),
    ]);
    await tab.waitForLoadState('domcontentloaded');
    await authenticatorWithKey(tab);
    await tab.getByRole('heading', { name: 'Use your security key' }).waitFor();
    expect(tab.url()).toBe(`${app.url}/`); // the challenge id left the address bar
    await tab.getByRole('button', { name: 'Use your security key' }).click();
    await tab.getByRole('heading', { name: 'Security', exact: true }).waitFor();

    // No second prompt: the popup follows the shared session by itself.
    await popup.locator('main.popup[data-state="signed-in"]').waitFor();
    expect(await popup.getByTestId('signed-in-as').textContent()).toBe(email);
    await screenshot(popup, 'extension-key-02-signed-in');
    const used = await app.deps.db('audit_events').where({ type: 'webauthn.key_used' });
    expect(used).toHaveLength(1);
  });
});
