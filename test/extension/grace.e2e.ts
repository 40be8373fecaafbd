// The dialer during a grace period: one line saying by when 2FA must be set up, with a link that opens the web app's
// setup in a new tab, on the session the web app and the dialer share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Call } from '../support/http.ts';
import { screenshot } from '../support/browser.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';

const PASSWORD = 'correct horse battery staple 42';
let app: TestApp;
let call: Call;
let ext: ExtensionBrowser;
const unique = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  app = await startTestApp({ webRoot: 'dist/web', hostname: 'localhost' });
  call = client(app.url);
  ext = await launchWithExtension();
  await ext.useServer(app.url); // the extension is built for localhost:3000; the person points it here
});
afterAll(async () => {
  await ext?.close();
  await app?.close();
});

const linkToken = (to: string, subject: RegExp) =>
  app
    .outbox()
    .filter((m) => m.to === to && subject.test(m.subject ?? ''))
    .pop()!.code!;

/** An owner of a new account, email verified (so they may invite), signed in. */
async function signupOwner(name: string) {
  const email = `${name.toLowerCase()}.${unique()}@example.com`;
  const r = await call('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD, name } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect((await call('POST', '/api/v1/auth/verify-email', { body: { token: linkToken(email, /^Verify your email/) } })).status).toBe(200);
  const login = await call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  return { email, accountId: r.body.account.id as string, token: login.body.session.token as string };
}

describe('the dialer in a grace period', () => {
  it("shows the due date in one line and opens the web app's setup", async () => {
    const owner = await signupOwner('Owen');
    const start = await call('POST', '/api/v1/me/2fa/totp', { token: owner.token });
    expect(
      (
        await call('POST', '/api/v1/me/2fa/totp/verify', {
          token: owner.token,
          body: { code: generateTotp(start.body.secret, app.clock.now()) },
        })
      ).status,
    ).toBe(200);
    const member = { email: `gwen.${unique()}@example.com` };
    expect(
      (
        await call('POST', `/api/v1/accounts/${owner.accountId}/members`, {
          token: owner.token,
          body: { email: member.email, role: 'member' },
        })
      ).status,
    ).toBe(201);
    const accepted = await call('POST', '/api/v1/auth/accept-invite', {
      body: { inviteToken: linkToken(member.email, /invited you to/), name: 'Gwen', password: PASSWORD },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    const put = await call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, {
      token: owner.token,
      body: { enforce: 'all', gracePeriodDays: 5 },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(202);
    expect(
      (
        await call('POST', `/api/v1/accounts/${owner.accountId}/security/2fa-policy/confirm`, {
          token: owner.token,
          body: { confirmationId: put.body.confirmationId, code: app.lastCode(owner.email, 'email') },
        })
      ).status,
    ).toBe(200);

    // Signed in on the web app, "set up later"; the dialer shares that session.
    const web = await ext.context.newPage();
    await web.goto(`${app.url}/`);
    await web.getByLabel('Email').fill(member.email);
    await web.getByLabel('Password').fill(PASSWORD);
    await web.getByRole('button', { name: 'Sign in' }).click();
    await web.getByRole('button', { name: 'Set up later' }).click();
    await web.getByTestId('grace-banner').waitFor();

    const popup = await ext.openPopup();
    await popup.locator('main.popup[data-state="signed-in"]').waitFor();
    const line = popup.getByTestId('grace-line');
    await line.waitFor();
    expect(await line.textContent()).toMatch(/^2FA required by \S+ \S+ \(5 days\) — Set it up$/);
    // One line at the popup's width, with the link whole: for today's date, for the longest English wording (a wide
    // month, a two-digit day, "tomorrow"), shown in full, and for a longer one (another locale), ellipsized before the link.
    const layout = (due?: string) =>
      line.evaluate((el, text) => {
        const span = el.querySelector<HTMLElement>('.grace-line__due')!;
        if (text) span.textContent = text;
        const link = el.querySelector('a')!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return {
          linkBelowTop: link.bottom - box.top - parseFloat(getComputedStyle(el).paddingTop),
          linkInside: link.right <= box.right - parseFloat(getComputedStyle(el).paddingRight) + 0.5,
          dueCut: span.scrollWidth > span.clientWidth,
        };
      }, due);
    const today = await layout();
    await screenshot(popup, 'extension-grace-01-popup-line');
    // The link sits on the first line (a second line would put it about 36 px down).
    expect(today).toEqual({ linkBelowTop: expect.any(Number), linkInside: true, dueCut: false });
    expect(today.linkBelowTop).toBeLessThan(24);
    const longest = await layout('2FA required by May 30 (tomorrow) —');
    expect(longest).toEqual({ linkBelowTop: expect.any(Number), linkInside: true, dueCut: false });
    expect(longest.linkBelowTop).toBeLessThan(24);
    const overlong = await layout('Zwei-Faktor-Authentifizierung erforderlich bis 30. Sept. (morgen) —');
    expect(overlong).toEqual({ linkBelowTop: expect.any(Number), linkInside: true, dueCut: true });
    expect(overlong.linkBelowTop).toBeLessThan(24);

    const [setup] = await Promise.all([ext.context.waitForEvent('page'), line.getByRole('link', { name: 'Set it up' }).click()]);
    await setup.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    expect(new URL(setup.url()).pathname).toBe('/setup');
    expect(await setup.getByTestId('setup-due').textContent()).toContain('5 days from now');
    await screenshot(setup, 'extension-grace-02-web-setup-from-dialer');
  });
});
