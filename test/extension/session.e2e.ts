// The dialer and the web app in one Chromium profile with the built extension: one session for both, a kept
// authenticator filling both challenges, the trusted device shared (the API's HttpOnly cookie, never page
// storage), calls, and nothing secret at rest. The app is served on localhost (the default build's host); the
// dialer is pointed at it once, by the person, as its port is not the one the extension was built for.
// The API's TestClock is kept at the real time here, because the extension computes codes from the real clock.
import { readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateTotp, totpStep } from '../../shared/totp.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Call } from '../support/http.ts';
import { RESULTS_DIR, screenshot } from '../support/browser.ts';
import { launchWithExtension, type ExtensionBrowser } from '../support/extension-browser.ts';

const PASSWORD = 'correct horse battery staple 42';

let app: TestApp;
let call: Call;
let ext: ExtensionBrowser;
let web: Page;
let popup: Page;
let realTime: ReturnType<typeof setInterval>;
let step = 0;
const email = `dana.${Math.random().toString(36).slice(2, 8)}@example.com`;
let secret = '';
const seenTokens = new Set<string>();

const shot = (page: Page, name: string) => screenshot(page, `extension-${String(++step).padStart(2, '0')}-${name}`);
const popupState = (page: Page) => page.locator('main.popup').getAttribute('data-state');

async function waitForPopupState(page: Page, state: string, timeout = 5000): Promise<number> {
  const started = Date.now();
  await page.locator(`main.popup[data-state="${state}"]`).waitFor({ timeout });
  return Date.now() - started;
}

async function rememberSessionCookie(): Promise<void> {
  for (const c of await ext.context.cookies(app.url)) if (c.name === 'twofold_session') seenTokens.add(c.value);
}

async function deviceCookie() {
  return (await ext.context.cookies(`${app.url}/api/v1/auth/login`)).find((c) => c.name === 'twofold_device');
}

async function webShowsSignedIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 5000 });
}

async function webShowsSignedOut(page: Page): Promise<void> {
  await page.getByLabel('Email').waitFor({ timeout: 5000 });
}

async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __twofoldEvents: Array<[string, number]> };
    w.__twofoldEvents = [];
    window.addEventListener('twofold:session-changed', (e) => w.__twofoldEvents.push([String((e as CustomEvent).detail), Date.now()]));
  });
}

async function eventsOf(page: Page): Promise<Array<[string, number]>> {
  return page.evaluate(() => (window as unknown as { __twofoldEvents: Array<[string, number]> }).__twofoldEvents);
}

/** The code of this step and of the one before (a fill may straddle a step boundary). */
function currentCodes(): string[] {
  return [generateTotp(secret, Date.now()), generateTotp(secret, Date.now() - 30_000)];
}

async function waitForNextTotpStep(): Promise<void> {
  const next = (totpStep(Date.now()) + 1) * 30_000;
  await new Promise((r) => setTimeout(r, next - Date.now() + 150));
}

async function webSignIn(page: Page): Promise<void> {
  await page.goto(`${app.url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function popupSignIn(page: Page, who = email): Promise<void> {
  await waitForPopupState(page, 'signed-out');
  await page.getByLabel('Email').fill(who);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The token of the newest link emailed to `to` (verification, invitation) from the outbox. */
function linkToken(to: string, subject: RegExp): string {
  const message = app
    .outbox()
    .filter((m) => m.channel === 'email' && m.to === to && subject.test(m.subject ?? ''))
    .pop();
  if (!message?.code) throw new Error(`no email matching ${subject} was sent to ${to}`);
  return message.code;
}

async function verifyEmail(to: string): Promise<void> {
  const r = await call('POST', '/api/v1/auth/verify-email', { body: { token: linkToken(to, /^Verify your email/) } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

beforeAll(async () => {
  if (existsSync(RESULTS_DIR)) for (const f of readdirSync(RESULTS_DIR)) if (/^extension-\d\d-/.test(f)) rmSync(join(RESULTS_DIR, f));
  app = await startTestApp({ webRoot: 'dist/web', hostname: 'localhost' });
  realTime = setInterval(() => app.clock.set(Date.now()), 20);
  call = client(app.url);
  const signup = await call('POST', '/api/v1/auth/signup', {
    body: { email, password: PASSWORD, name: 'Dana Dialer', accountName: 'Dana’s team' },
  });
  expect(signup.status, JSON.stringify(signup.body)).toBe(201);
  await verifyEmail(email);
  ext = await launchWithExtension();
});

afterAll(async () => {
  clearInterval(realTime);
  await ext?.close();
  await app?.close();
});

describe('the dialer', () => {
  it('web sign-in → the dialer is signed in', async () => {
    // Cookies name no port: the build's default server (localhost:3000, maybe another Twofold on this machine)
    // would see this app's session cookie. So the person points the dialer here first (dialer.e2e.ts shows the offer).
    await ext.useServer(app.url);
    web = await ext.context.newPage();
    await webSignIn(web);
    await webShowsSignedIn(web);
    await rememberSessionCookie();
    popup = await ext.openPopup();
    await waitForPopupState(popup, 'signed-in');
    expect(await popup.getByTestId('signed-in-as').textContent()).toBe(email);
    const timings: number[] = [];
    const breakdown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const again = await ext.openPopup();
      await waitForPopupState(again, 'signed-in');
      timings.push(await again.evaluate(() => performance.getEntriesByName('twofold:interactive')[0]!.startTime));
      breakdown.push(
        await again.evaluate(() =>
          Math.round((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domInteractive),
        ),
      );
      await again.close();
    }
    console.log(
      `[measure] signed-in dialer interactive after opening: ${timings.map((t) => `${t.toFixed(0)} ms`).join(', ')} (the browser alone reached domInteractive at ${breakdown.join(', ')} ms)`,
    );
    // The 100 ms budget is asserted in popup.e2e.ts (a quiet browser); here the API, a web page and the worker share
    // two CPUs with it, so this is a regression guard, not the budget.
    expect(timings.every((t) => t > 0)).toBe(true); // speed is measured here and reported in bench/README.md, never asserted
    expect(await popup.getByLabel('Number to call').getAttribute('type')).toBe('tel');
    await shot(popup, 'dialer-signed-in-from-web');
  });

  it('logout in the web app → the dialer is signed out within a second', async () => {
    const started = Date.now();
    await web.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out', 2000);
    const ms = Date.now() - started;
    console.log(`[measure] web logout → dialer signed out: ${ms} ms`);
    expect(ms).toBeLessThan(1000);
    await webShowsSignedOut(web);
    await shot(popup, 'dialer-signed-out-by-web');
  });

  it('dialer sign-in → the web app is signed in', async () => {
    await recordEvents(web);
    await popupSignIn(popup);
    await waitForPopupState(popup, 'signed-in');
    await shot(popup, 'dialer-signed-in');
    await expect.poll(() => eventsOf(web).then((e) => e.map(([d]) => d))).toContain('started');
    const cookie = (await ext.context.cookies(app.url)).find((c) => c.name === 'twofold_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    await rememberSessionCookie();
    expect(await web.evaluate(() => fetch('/api/v1/session').then((r) => r.status))).toBe(200);
    await webShowsSignedIn(web); // the web app re-checks its session on the extension's event, without a reload
    expect(
      (await eventsOf(web)).map(([d]) => d),
      'the same document: the page was not reloaded',
    ).toContain('started');
  });

  it('places a call and shows it queued and in recent calls', async () => {
    await popup.getByLabel('Number to call').fill('+61 412 345 678');
    await popup.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => popup.getByTestId('call-status').textContent()).toContain('+61412345678 is queued');
    expect(await popup.getByTestId('recent-calls').textContent()).toContain('+61412345678');
    await shot(popup, 'dialer-call-queued');

    await popup.getByLabel('Number to call').fill('0412 345 678');
    await popup.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('international format');
  });

  it('switches accounts: the call is placed for the chosen account', async () => {
    const owner = `olive.${Math.random().toString(36).slice(2, 8)}@example.com`;
    const signup = await call('POST', '/api/v1/auth/signup', {
      body: { email: owner, password: PASSWORD, name: 'Olive', accountName: 'Acme Calls' },
    });
    const ownerToken = (await call('POST', '/api/v1/auth/login', { body: { email: owner, password: PASSWORD } })).body.session
      .token as string;
    const acme = signup.body.account.id as string;
    await verifyEmail(owner);
    const invited = await call('POST', `/api/v1/accounts/${acme}/members`, { token: ownerToken, body: { email, role: 'member' } });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    // Dana accepts the emailed invitation, signed in (the API; the dialer's own session is left as it is).
    const danaToken = (await call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body.session.token as string;
    const accepted = await call('POST', '/api/v1/auth/accept-invite', {
      token: danaToken,
      body: { inviteToken: linkToken(email, /invited you to/) },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    await popup.reload();
    const switcher = popup.getByLabel('Account');
    await expect.poll(() => switcher.locator('option').count()).toBe(2);
    await switcher.selectOption({ label: 'Acme Calls' });
    await expect.poll(() => popup.getByText('No calls yet.').count()).toBe(1);
    await popup.getByLabel('Number to call').fill('+442071838750');
    await popup.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => popup.getByTestId('call-status').textContent()).toContain('+442071838750 is queued');
    await shot(popup, 'dialer-account-switched');
    const acmeCalls = await call('GET', `/api/v1/accounts/${acme}/calls`, { token: ownerToken });
    expect(acmeCalls.body.map((c: { to: string }) => c.to)).toEqual(['+442071838750']);
    await popup.reload();
    expect(await popup.getByLabel('Account').inputValue()).toBe(acme); // the choice is kept
  });

  it('logout in the dialer → the web app is signed out within a second', async () => {
    await recordEvents(web);
    const started = Date.now();
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out');
    await expect.poll(() => eventsOf(web).then((e) => e.map(([d]) => d)), { timeout: 2000, interval: 20 }).toContain('ended');
    const [, at] = (await eventsOf(web)).find(([d]) => d === 'ended')!;
    console.log(`[measure] dialer logout → web app told: ${at - started} ms`);
    expect(at - started).toBeLessThan(1000);
    expect(await web.evaluate(() => fetch('/api/v1/session').then((r) => r.status))).toBe(401);
    await webShowsSignedOut(web); // the web app re-checks its session on the extension's event, without a reload
    expect(
      (await eventsOf(web)).map(([d]) => d),
      'the same document: the page was not reloaded',
    ).toContain('ended');
    await shot(popup, 'dialer-logged-out');
  });

  it('keeps an authenticator at setup; the next challenge is filled in the web app and in the dialer', async () => {
    // Measure, in the page, when the code field appears and when a 6-digit code is typed into it.
    await ext.context.addInitScript(() => {
      const w = window as unknown as { __field?: number; __filled?: number };
      new MutationObserver(() => {
        const field = document.querySelector<HTMLInputElement>('input[autocomplete="one-time-code"]');
        if (field && w.__field === undefined && field.closest('[data-twofold-user]')) {
          w.__field = performance.now();
          field.addEventListener('input', () => {
            if (/^\d{6}$/.test(field.value) && w.__filled === undefined) w.__filled = performance.now();
          });
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await webSignIn(web);
    await webShowsSignedIn(web);
    await web.goto(`${app.url}/security`);
    await web.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const key = web.getByTestId('totp-secret');
    await key.waitFor();
    secret = (await key.textContent())!.replace(/\s/g, '');
    const prompt = web.locator('twofold-keep-prompt');
    await prompt.getByRole('button', { name: 'Keep it' }).click();
    await prompt.getByRole('button', { name: 'Keep without' }).click(); // vault.e2e.ts keeps with a passphrase
    await expect.poll(() => prompt.locator('.body').textContent()).toContain('Kept');
    await shot(web, 'web-keep-authenticator');
    // The previous step's code (accepted within the ±1 window), so the challenge below may use the current step.
    // The sixth digit turns it on; the new backup codes must be kept before their dialog closes.
    await web.getByLabel('Enter the 6-digit code the app shows').fill(generateTotp(secret, Date.now() - 30_000));
    const codes = web.getByTestId('backup-codes-dialog');
    await codes.getByLabel('I have saved them somewhere safe').check();
    await codes.getByRole('button', { name: 'Done' }).click();
    await web.getByRole('button', { name: 'Log out' }).click();
    await webShowsSignedOut(web);

    // The web app's challenge: filled within 200 ms of the field appearing.
    await webSignIn(web);
    const field = web.locator('input[autocomplete="one-time-code"]');
    await field.waitFor();
    await expect.poll(() => field.inputValue(), { timeout: 3000, interval: 10 }).toMatch(/^\d{6}$/);
    const timing = await web.evaluate(() => {
      const w = window as unknown as { __field: number; __filled: number };
      return w.__filled - w.__field;
    });
    console.log(`[measure] web challenge filled ${timing.toFixed(1)} ms after the field appeared`);
    expect(timing).toBeGreaterThan(0); // filled after it appeared; the figure goes to bench/README.md
    expect(currentCodes()).toContain(await field.inputValue());
    await shot(web, 'web-challenge-filled');
    await web.getByRole('button', { name: 'Verify' }).click();
    await webShowsSignedIn(web);
    await rememberSessionCookie();
    await expect.poll(() => popupState(popup)).toBe('signed-in');
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out');

    // The dialer's own challenge, at the next step (the API accepts each step once).
    await waitForNextTotpStep();
    await popupSignIn(popup);
    await waitForPopupState(popup, 'challenge');
    const code = popup.getByTestId('dialer-code');
    await expect.poll(() => code.inputValue()).toMatch(/^\d{6}$/);
    expect(currentCodes()).toContain(await code.inputValue());
    await popup.getByLabel('Remember this browser').check();
    await shot(popup, 'dialer-challenge-filled');
    await popup.getByRole('button', { name: 'Verify' }).click();
    await waitForPopupState(popup, 'signed-in');
    await rememberSessionCookie();
    await shot(popup, 'dialer-signed-in-after-challenge');
  }, 120_000);

  it("a trusted device from the dialer is used by the web app too: the API's HttpOnly cookie, never page storage", async () => {
    // Attack: a script on the page reads the trusted-device token from localStorage or document.cookie.
    const device = await deviceCookie();
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/v1/auth' });
    expect(device!.value).toMatch(/.{16,}/);
    seenTokens.add(device!.value);
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out');
    await web.goto(`${app.url}/`);
    expect(await web.evaluate(() => document.cookie)).not.toContain(device!.value);
    expect(await web.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(device!.value);
    await webSignIn(web);
    await webShowsSignedIn(web); // no challenge: the device is remembered
    await rememberSessionCookie();
    await expect.poll(() => popupState(popup)).toBe('signed-in');
    await shot(popup, 'dialer-signed-in-by-trusted-web');
  });

  it('a code sent by email, asked for and typed in the dialer', async () => {
    const other = `erin.${Math.random().toString(36).slice(2, 8)}@example.com`;
    expect((await call('POST', '/api/v1/auth/signup', { body: { email: other, password: PASSWORD, name: 'Erin Email' } })).status).toBe(
      201,
    );
    const login = await call('POST', '/api/v1/auth/login', { body: { email: other, password: PASSWORD } });
    const token = login.body.session.token as string;
    expect((await call('POST', '/api/v1/me/2fa/email', { token, body: {} })).status).toBe(202);
    const enabled = await call('POST', '/api/v1/me/2fa/email/verify', { token, body: { code: app.lastCode(other, 'email') } });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);

    await popup.getByRole('button', { name: 'Log out' }).click();
    await popupSignIn(popup, other);
    await waitForPopupState(popup, 'challenge');
    if (await popup.getByRole('button', { name: 'Email' }).count()) await popup.getByRole('button', { name: 'Email' }).click();
    const before = app.outbox().length;
    await popup.getByRole('button', { name: 'Send code' }).click();
    await expect.poll(() => app.outbox().length).toBeGreaterThan(before);
    await expect.poll(() => popup.getByRole('button', { name: /Resend in \d+ s/ }).count()).toBe(1);
    await popup.getByLabel('6-digit code we emailed you').fill(app.lastCode(other, 'email'));
    await shot(popup, 'dialer-email-code');
    await popup.getByRole('button', { name: 'Verify' }).click();
    await waitForPopupState(popup, 'signed-in');
    expect(await popup.getByTestId('signed-in-as').textContent()).toBe(other);
    await rememberSessionCookie();

    // The other way round: "Remember this device" in the web app lets the dialer skip the code too.
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out');
    await web.goto(`${app.url}/`);
    await web.getByLabel('Email').fill(other);
    await web.getByLabel('Password').fill(PASSWORD);
    await web.getByRole('button', { name: 'Sign in' }).click();
    await web.getByText(/We sent a code to/).waitFor();
    await web.getByLabel('6-digit code').fill(app.lastCode(other, 'email'));
    await web.getByLabel('Remember this device').check();
    await web.getByRole('button', { name: 'Verify' }).click();
    await webShowsSignedIn(web);
    const webDevice = (await deviceCookie())?.value;
    expect(webDevice).toMatch(/.{16,}/);
    seenTokens.add(webDevice!);
    await rememberSessionCookie();
    await expect.poll(() => popupState(popup)).toBe('signed-in');
    await popup.getByRole('button', { name: 'Log out' }).click();
    await waitForPopupState(popup, 'signed-out');
    await popupSignIn(popup, other);
    await waitForPopupState(popup, 'signed-in'); // no challenge: the web app's trusted-device cookie, read by the dialer
    await rememberSessionCookie();
    await shot(popup, 'dialer-signed-in-by-web-trusted-device');
  });

  it("no plaintext secret or token in the profile's IndexedDB files", async () => {
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await ext.context.close();
    const files = filesUnder(join(ext.userDataDir, 'Default', 'IndexedDB'));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    const haystacks = [bytes.toString('latin1'), bytes.toString('utf16le')];
    expect(haystacks[0]).toContain(email); // the files are readable: the check means something
    for (const needle of [secret, ...seenTokens].filter((n): n is string => Boolean(n))) {
      for (const hay of haystacks) expect(hay.includes(needle), 'a secret or token in IndexedDB').toBe(false);
    }
  });
});
