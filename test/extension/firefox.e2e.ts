// Smoke test of the Firefox build (dist/extension-firefox) in Debian's Firefox ESR, headless, over WebDriver BiDi
// (test/support/firefox.ts): installed as a temporary add-on, its content script offers to keep an authenticator,
// its background (an event page here) keeps it and opens the options page, the popup opens, and a dialer
// sign-in writes the shared session through Firefox's cookies API so the web app is signed in too; again with
// first-party isolation on. BiDi cannot navigate a tab to a moz-extension:// page itself, so the test reaches
// the extension's pages the way a person does: the page's "Choose a passphrase…" opens the options page, and
// the popup is then opened in that tab.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOtpauthUri, generateTotpSecret } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { launchFirefoxWithExtension, type FirefoxWithExtension } from '../support/firefox.ts';

const PASSWORD = 'correct horse battery staple 42';
const USER = `fox.${Math.random().toString(36).slice(2, 8)}@example.com`;
const PASSPHRASE = 'amber fox under snow';

const shadow = (tag: string) => `document.querySelector('${tag}')?.shadowRoot`;
const button = (tag: string, label: string) =>
  `[...${shadow(tag)}.querySelectorAll('button')].find((b) => b.textContent.startsWith(${JSON.stringify(label)}))`;
const byLabel = (text: string) =>
  `[...document.querySelectorAll('label')].find((l) => l.textContent.trim() === ${JSON.stringify(text)}).control`;
const byText = (tag: string, text: string) =>
  `[...document.querySelectorAll('${tag}')].find((b) => b.textContent.trim() === ${JSON.stringify(text)})`;

let app: TestApp;
let setupPages: Server;
let setupOrigin: string;

beforeAll(async () => {
  app = await startTestApp({ webRoot: 'dist/web', hostname: 'localhost' });
  expect(
    (await client(app.url)('POST', '/api/v1/auth/signup', { body: { email: USER, password: PASSWORD, name: 'Fox Firefox' } })).status,
  ).toBe(201);
  const uri = buildOtpauthUri({ secretBase32: generateTotpSecret(), issuer: 'Twofold', accountName: USER });
  setupPages = createServer((req, res) => {
    if (req.url === '/api/v1/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><title>Set up</title><main data-twofold-user="${USER}"><p data-otpauth-uri="${uri.replace(/&/g, '&amp;')}">Scan</p></main>`,
      );
  });
  await new Promise<void>((resolve) => setupPages.listen(0, '127.0.0.1', resolve));
  setupOrigin = `http://localhost:${(setupPages.address() as AddressInfo).port}`;
});

afterAll(async () => {
  setupPages?.close();
  await app?.close();
});

/** Keeps the setup page's authenticator with a passphrase; answers the options tab, opened by the extension. */
async function keepWithPassphrase(ff: FirefoxWithExtension): Promise<string> {
  await ff.navigate(`${setupOrigin}/setup`);
  await ff.waitFor(`${shadow('twofold-keep-prompt')}?.textContent.includes('Also keep this authenticator')`);
  await ff.click(button('twofold-keep-prompt', 'Keep it'));
  await ff.waitFor(`${shadow('twofold-keep-prompt')}.textContent.includes('Protect your kept codes')`);
  await ff.click(button('twofold-keep-prompt', 'Choose a passphrase'));
  const options = await ff.tabAt(ff.optionsUrl);
  await ff.waitFor(`document.querySelector('[data-testid="pending-keep"]')`, options);
  await ff.fill(byLabel('Passphrase'), PASSPHRASE, options);
  await ff.fill(byLabel('Type it again'), PASSPHRASE, options);
  await ff.click(byText('button', 'Set passphrase'), options);
  await ff.waitFor(`document.querySelector('[data-testid="protection"]')?.dataset.protection === 'passphrase'`, options);
  return options;
}

/** The extension's own tab may go to the popup (BiDi may not navigate a tab to moz-extension:// itself). */
async function openPopupIn(ff: FirefoxWithExtension, tab: string): Promise<void> {
  const at = await ff.evaluate<string>('return location.href;', tab);
  if (at !== ff.popupUrl) await ff.evaluate(`location.href = ${JSON.stringify(ff.popupUrl)}; return true;`, tab);
  await ff.waitFor(`location.href === ${JSON.stringify(ff.popupUrl)} && document.querySelector('main.popup')`, tab);
}

/** Opens the popup in the extension's tab, changes its server to the app (as a person would), and signs in. */
async function signInFromPopup(ff: FirefoxWithExtension, tab: string): Promise<void> {
  await ff.navigate(`${app.url}/`);
  await openPopupIn(ff, tab);
  await ff.waitFor(
    `document.querySelector('main.popup')?.dataset.state === 'signed-out' && document.querySelector('[data-testid="server"]')`,
    tab,
  );
  await ff.click(byText('button', 'Change'), tab);
  await ff.fill(byLabel('Twofold server'), app.url, tab);
  await ff.fill(byLabel('Email'), USER, tab);
  await ff.fill(byLabel('Password'), PASSWORD, tab);
  await ff.click(byText('button', 'Sign in'), tab);
  await ff.waitFor(`document.querySelector('main.popup')?.dataset.state === 'signed-in'`, tab);
}

describe('the Firefox build in Firefox ESR', () => {
  it('installs; the content script, the background, the options page and the popup work; a dialer sign-in signs the web app in', async () => {
    const ff = await launchFirefoxWithExtension();
    try {
      const tab = await keepWithPassphrase(ff);
      await ff.waitFor(`${shadow('twofold-keep-prompt')}?.textContent.includes('Kept “Twofold (${USER})”')`);
      expect(await ff.evaluate<number>(`return document.querySelectorAll('[data-testid="authenticator"]').length;`, tab)).toBe(1);

      await openPopupIn(ff, tab);
      await ff.waitFor(
        `document.querySelector('main.popup')?.dataset.state === 'signed-out' && document.querySelector('[data-testid="server"]')`,
        tab,
      );
      expect(await ff.evaluate<string>(`return document.querySelector('[data-testid="server"]').textContent;`, tab)).toContain(
        'http://localhost:3000',
      );

      await signInFromPopup(ff, tab);
      // The session cookie the background wrote through Firefox's cookies API is the web app's session.
      expect(await ff.evaluate<number>(`return (await fetch('/api/v1/session')).status;`)).toBe(200);
      expect(await ff.evaluate<string>(`return document.cookie;`)).not.toContain('twofold_session'); // HttpOnly
    } finally {
      await ff.close();
    }
  }, 120_000);

  it("with first-party isolation on, the dialer's session cookie is written where the web app reads it", async () => {
    const ff = await launchFirefoxWithExtension({ prefs: { 'privacy.firstparty.isolate': true } });
    try {
      const tab = await keepWithPassphrase(ff);
      await signInFromPopup(ff, tab);
      expect(await ff.evaluate<number>(`return (await fetch('/api/v1/session')).status;`)).toBe(200);
      // Isolation is really on: a cookie call that names no first-party domain is refused, and the session
      // cookie carries the site's.
      const probe = await ff.evaluate<{ refused: string; domains: string[] }>(
        `
        const url = ${JSON.stringify(`${app.url}/`)};
        const refused = await browser.cookies.get({ url, name: 'twofold_session' }).then(() => '', (e) => String(e.message));
        const all = await browser.cookies.getAll({ url, name: 'twofold_session', firstPartyDomain: null });
        return { refused, domains: all.map((c) => c.firstPartyDomain) };`,
        tab,
      );
      expect(probe.refused).toMatch(/firstPartyDomain/);
      expect(probe.domains).toEqual(['localhost']);
    } finally {
      await ff.close();
    }
  }, 120_000);
});
