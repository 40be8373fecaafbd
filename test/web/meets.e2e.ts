// What a person meets, in Chromium against the real API: no dead ends (a reset member is told why the tab signed
// out, an accepted recovery code says so, an expired challenge keeps the email), saved backup codes and a clean
// printed page, actions that do not move the page under the pointer, "cannot reach Twofold" apart from signed out,
// skeletons while loading, confirmations, the audit log's CSV, and the setup key's Copy button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  enrolTotp,
  expectNoProblems,
  nextTotp,
  seedMember,
  seedUser,
  signInWithPassword,
  startWeb,
  type WebHarness,
} from './e2e-helpers.ts';

let web: WebHarness;
beforeAll(async () => {
  web = await startWeb('meets');
});
afterAll(async () => {
  await web?.close();
});

async function passTotp(page: Page, secret: string) {
  await page.getByLabel('6-digit code').fill(nextTotp(web, secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Security' }).waitFor();
}

describe('no dead ends', () => {
  it('a member whose 2FA was reset sees the open tab drop to sign-in, told why, with the email kept', async () => {
    const owner = await seedUser(web, 'Rita Reset', 'Reset Co');
    await enrolTotp(web, owner);
    const member = await seedMember(web, owner, 'Remy Member');
    const { secret } = await enrolTotp(web, member);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, member.email);
    await passTotp(page, secret);

    const reset = await web.call('POST', `/api/v1/accounts/${owner.accountId}/members/${member.userId}/2fa/reset`, { token: owner.token });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.getByRole('heading', { name: 'Sign in to Twofold' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'An administrator reset your two-factor authentication' }).count()).toBe(1);
    expect(await page.getByLabel('Email').inputValue()).toBe(member.email);
    await web.shot(page, '01-signed-out-after-reset');
    expectNoProblems(web);
  });

  it('an accepted recovery code says it worked, and that setup is still to do', async () => {
    const owner = await seedUser(web, 'Owen Rescue', 'Rescue Co');
    await enrolTotp(web, owner);
    const member = await seedMember(web, owner, 'Rae Recovered');
    const policy = await web.call('PUT', `/api/v1/accounts/${owner.accountId}/security/2fa-policy`, {
      token: owner.token,
      body: { enforce: 'all' },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const issued = await web.call('POST', `/api/v1/accounts/${owner.accountId}/members/${member.userId}/recovery-code`, {
      token: owner.token,
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);

    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, member.email);
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await page.getByRole('button', { name: 'I have a recovery code from an owner' }).click();
    await page.getByLabel('Recovery code').fill(issued.body.code);
    await page.getByRole('button', { name: 'Sign in with the recovery code' }).click();
    await page.getByText('Your recovery code worked and you are signed in').waitFor();
    expect(await page.getByRole('heading', { name: 'Set up two-factor authentication' }).count()).toBe(1);
    await web.shot(page, '02-recovery-code-accepted');
    expectNoProblems(web);
  });

  it('an expired challenge returns to sign-in with the email kept', async () => {
    const user = await seedUser(web, 'Eli Expired');
    const { secret } = await enrolTotp(web, user);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByLabel('6-digit code').waitFor();
    web.app.clock.advance(11 * 60_000);
    await page.getByLabel('6-digit code').fill(nextTotp(web, secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Sign in to Twofold' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe(user.email);
    expect(await page.getByText('That sign-in attempt expired').count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-password');
    expectNoProblems(web);
  });
});

describe('backup codes', () => {
  it('on voluntary setup, Done, × and Escape wait until the codes are kept; the print is one clean page', async () => {
    const user = await seedUser(web, 'Bo Backup');
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const key = (await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(nextTotp(web, key));
    const dialog = page.getByTestId('backup-codes-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).not.toContain('older codes');
    expect(await dialog.getByRole('button', { name: 'Close' }).count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);

    // The printed page: only the sheet, one page, the codes in two columns that do not overlap.
    await page.emulateMedia({ media: 'print' });
    const sheet = page.locator('.print-sheet');
    expect(await sheet.isVisible()).toBe(true);
    expect(await page.locator('#app').isVisible()).toBe(false);
    const text = (await sheet.textContent())!;
    for (const words of ['Twofold backup codes', `For ${user.email}`, 'Created', 'How to use them']) expect(text).toContain(words);
    const boxes = await sheet
      .locator('.print-sheet__codes li')
      .evaluateAll((items) => items.map((li) => li.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes).toHaveLength(10);
    expect(new Set(boxes.map((b) => Math.round(b.x))).size).toBe(2);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1))
        expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
    }
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    await page.emulateMedia({ media: 'screen' });

    await dialog.getByLabel('I have saved them somewhere safe').check();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('.print-sheet').count()).toBe(0);
    expectNoProblems(web);
  });
});

describe('destructive actions and feedback', () => {
  it('"Make preferred" moves nothing under the pointer and keeps focus in the row; removing asks first', async () => {
    const user = await seedUser(web, 'Pia Preferred');
    await enrolTotp(web, user);
    await web.call('POST', '/api/v1/me/2fa/email', { token: user.token, body: {} });
    const enrolled = await web.call('POST', '/api/v1/me/2fa/email/verify', {
      token: user.token,
      body: { code: web.app.lastCode(user.email, 'email') },
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('button', { name: 'Use an email instead' }).click();
    await page.getByText('We sent a code to').waitFor();
    await page.getByLabel('6-digit code').fill(web.app.lastCode(user.email, 'email'));
    await page.getByRole('button', { name: 'Verify' }).click();
    const row = page.getByTestId('method-email');
    await row.getByRole('button', { name: 'Make preferred' }).waitFor();
    const before = await row.getByRole('button', { name: 'Remove' }).boundingBox();
    const pointer = await row.getByRole('button', { name: 'Make preferred' }).boundingBox();
    await page.mouse.click(pointer!.x + pointer!.width / 2, pointer!.y + pointer!.height / 2);
    await page.getByTestId('toast').filter({ hasText: 'Email is now your preferred method.' }).waitFor();
    expect(await row.getByRole('button', { name: 'Make preferred' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Remove' }).boundingBox()).toEqual(before);
    // Whatever is under the pointer now is not a Remove button.
    const under = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.closest('button')?.textContent ?? null,
      [pointer!.x + pointer!.width / 2, pointer!.y + pointer!.height / 2],
    );
    expect(under).toBeNull();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('method-email');
    await web.shot(page, '03-make-preferred-toast');

    await row.getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByTestId('remove-method-dialog');
    expect(await confirm.textContent()).toContain('will stop working');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await row.getByRole('button', { name: 'Remove' }).count()).toBe(1);
    expectNoProblems(web);
  });

  it('tells "cannot reach Twofold, retrying" apart from signed out, and recovers by itself', async () => {
    const user = await seedUser(web, 'Nat Network');
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const banner = page.getByTestId('connection-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Can’t reach Twofold.');
    expect(await page.getByRole('heading', { name: 'Security' }).count()).toBe(1);
    expect(await page.getByLabel('Password').count()).toBe(0);
    await web.shot(page, '04-cannot-reach-twofold');
    await page.unroute('**/api/v1/**');
    await banner.waitFor({ state: 'detached' });
    expect(await page.getByTestId('user-name').textContent()).toBe('Nat Network');
    expectNoProblems(web);
  });

  it('shows skeletons shaped like the content while it loads, never a bare "Loading…"', async () => {
    const user = await seedUser(web, 'Lia Loading');
    const page = await web.newPage();
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = () => {};
    const requested = new Promise<void>((resolve) => {
      asked = resolve;
    });
    await page.route('**/api/v1/me/2fa', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.reload();
    // Wait for the held request itself: a skeleton seen before it (the session's, while the page starts) can be
    // gone by the next line, which read the box of nothing once (CI, 2026-12-05).
    await requested;
    const skeleton = page.getByTestId('skeleton');
    await skeleton.waitFor();
    expect(await skeleton.getAttribute('aria-busy')).toBe('true');
    expect((await skeleton.boundingBox())!.height).toBeGreaterThan(100);
    expect(await page.getByText('Loading…', { exact: true }).count()).toBe(0);
    await web.shot(page, '05-skeleton');
    release();
    await page.getByTestId('method-totp').waitFor();
    expect(await page.getByTestId('skeleton').count()).toBe(0);
    expectNoProblems(web);
  });

  it('the admin tab bar has no stray vertical scrollbar; revoking an API key asks first; the audit log exports CSV', async () => {
    const owner = await seedUser(web, 'Ada Admin', 'Tabs Ltd');
    const created = await web.call('POST', `/api/v1/accounts/${owner.accountId}/api-keys`, {
      token: owner.token,
      body: { name: 'Billing sync' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const width of [1280, 390]) {
      const page = await web.newPage({ width });
      await signInWithPassword(page, web.app.url, owner.email);
      await page.getByRole('link', { name: 'Admin' }).click();
      const tabs = page.getByRole('navigation', { name: 'Account administration' });
      await tabs.waitFor();
      expect(await tabs.evaluate((el) => el.scrollHeight - el.clientHeight)).toBe(0);
      if (width === 390) continue;

      await page.getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('button', { name: 'Revoke Billing sync' }).click();
      const confirm = page.getByTestId('revoke-key-dialog');
      expect(await confirm.textContent()).toContain('Every system that calls the API with Billing sync will be refused');
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await page.getByTestId('toast').filter({ hasText: 'Billing sync revoked.' }).waitFor();
      expect((await web.call('GET', `/api/v1/accounts/${owner.accountId}/calls`, { token: created.body.key })).status).toBe(401);

      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByTestId('audit-table').locator('tbody.audit-event').first().waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^twofold-audit-log-\d{4}-\d\d-\d\d\.csv$/);
      const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
      expect(csv.split('\r\n')[0]).toBe(
        '"Time (UTC)","Event type","What happened","By","By (user id)","About","About (user id)","Address","Detail"',
      );
      expect(csv).toContain('"Ada Admin revoked the API key “Billing sync”"');
      expect(csv).toContain('"Ada Admin created the API key “Billing sync”"');
    }
    expectNoProblems(web);
  });
});

describe('setup', () => {
  it('copies the setup key, and the sixth digit turns the method on', async () => {
    const user = await seedUser(web, 'Cy Copy');
    const page = await web.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.app.url });
    await signInWithPassword(page, web.app.url, user.email);
    await page.getByTestId('method-totp').getByRole('button', { name: 'Set up' }).click();
    const key = (await page.getByTestId('totp-secret').textContent())!.replace(/ /g, '');
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Key copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    const field = page.getByLabel('Enter the 6-digit code the app shows');
    await field.focus();
    await page.keyboard.type(nextTotp(web, key));
    await page.getByTestId('backup-codes-dialog').waitFor();
    expect(await page.getByRole('button', { name: 'Turn on' }).count()).toBe(0);
    expectNoProblems(web);
  });
});
