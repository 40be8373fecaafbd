// Signing in through the web app: password, then TOTP, a text message from the outbox, or a backup code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolTotp, expectNoProblems, nextTotp, PASSWORD, seedUser, signInWithPassword, startWeb, type WebHarness } from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('login');
});
afterAll(async () => {
  await web?.close();
});

describe('log in', () => {
  it('refuses a wrong password in plain words, then signs in with a pasted, spaced TOTP code', async () => {
    const user = await seedUser(web, 'Tess Totp');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await page.goto(`${web.app.url}/`);
    await expect.poll(() => page.getByLabel('Email').getAttribute('autocomplete')).toBe('username');
    expect(await page.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    await web.shot(page, '01-login');

    await signInWithPassword(page, web.app.url, user.email, 'not the password at all');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'don’t match' }).count()).toBe(1);
    await web.shot(page, '02-login-wrong-password');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const codeField = page.getByLabel('6-digit code');
    await codeField.waitFor();
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeField.getAttribute('inputmode')).toBe('numeric');
    expect(await page.getByRole('button', { name: 'Use a backup code' }).count()).toBe(1);
    await web.shot(page, '03-challenge-totp');

    const code = nextTotp(web, secret);
    await codeField.focus();
    await page.keyboard.insertText(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect(await codeField.inputValue()).toBe(code);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('Tess Totp');
    expect(await page.getByTestId('2fa-status').textContent()).toBe('On');
    await web.shot(page, '04-signed-in');
    expectNoProblems(web);
  });

  it('signs in with a text message read from the outbox, showing the resend cooldown', async () => {
    const user = await seedUser(web, 'Sam Sms');
    const phone = '+61412345678';
    const start = await web.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const enrolled = await web.call('POST', '/api/v1/me/2fa/sms/verify', {
      token: user.token,
      body: { code: web.app.lastCode(phone, 'sms') },
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
    const sentBefore = web.app.outbox().filter((m) => m.to === phone).length;

    const page = await web.newPage({ width: 360 });
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByText('We sent a code to').waitFor();
    expect(web.app.outbox().filter((m) => m.to === phone).length).toBe(sentBefore + 1);
    expect(await page.getByRole('button', { name: 'Send a new code' }).isDisabled()).toBe(true);
    expect(await page.getByText(/You can ask for another in 0:[0-3]\d/).count()).toBe(1);
    await web.shot(page, '05-challenge-sms-360px');

    await page.getByLabel('6-digit code').fill(web.app.lastCode(phone, 'sms'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('method-sms').textContent()).toContain('5678');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    await web.shot(page, '06-security-360px');
    expectNoProblems(web);
  });

  it('signs in with a backup code and says how many are left', async () => {
    const user = await seedUser(web, 'Bea Backup');
    const { backupCodes } = await enrolTotp(web, user);
    expect(backupCodes).toHaveLength(10);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('button', { name: 'Use a backup code' }).click();
    await page.getByRole('textbox', { name: 'Backup code' }).fill(backupCodes[0]!);
    await web.shot(page, '07-challenge-backup-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('backup-codes-remaining').waitFor();
    expect(await page.getByTestId('backup-codes-remaining').textContent()).toContain('You have 9 backup codes left');
    await web.shot(page, '08-backup-codes-remaining');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('backup-remaining').textContent()).toBe('9');
    expectNoProblems(web);
  });

  it('works with the keyboard alone: focus starts in the right field at each step', async () => {
    const user = await seedUser(web, 'Kim Keys');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await page.goto(`${web.app.url}/`);
    await page.getByLabel('Email').waitFor();
    // Typing goes wherever focus is: wait until the page has put it in the email field (a loaded machine renders late).
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await expect.poll(focused).toBe('login-email');
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe('login-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByLabel('6-digit code').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('challenge-code');
    await page.keyboard.type(nextTotp(web, secret));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('Kim Keys');
    expectNoProblems(web);
  });

  it('shows the lockout with the time to wait after too many wrong codes', async () => {
    const user = await seedUser(web, 'Lou Lockout');
    await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    const field = page.getByLabel('6-digit code');
    for (let i = 0; i < 6; i++) {
      await field.fill('000000');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/verify')),
        page.getByRole('button', { name: 'Verify' }).click(),
      ]);
      if (answer.status() === 429) break;
      expect(answer.status()).toBe(401);
      // Attempts left are said and announced; the wrong code stays in the field, selected.
      await page
        .getByRole('alert')
        .filter({ hasText: `That code is not right. ${4 - i} attempt` })
        .waitFor();
      expect(await field.inputValue()).toBe('000000');
      expect(await field.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd, document.activeElement === el])).toEqual([
        0,
        6,
        true,
      ]);
    }
    await page.getByTestId('lockout').waitFor();
    // Until when, by the clock, and counting down.
    expect(await page.getByTestId('lockout').textContent()).toMatch(/paused until \d{1,2}:\d\d.*\(\d+:\d\d left\)/);
    const first = await page.getByTestId('countdown').textContent();
    await expect.poll(() => page.getByTestId('countdown').textContent()).not.toBe(first);
    await web.shot(page, '09-lockout');
    expectNoProblems(web);
  });
});
