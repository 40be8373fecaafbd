// Chromium (Debian's) with the built extension (dist/extension) loaded unpacked, in a fresh profile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.ts';

export const EXTENSION_DIR = resolve('dist/extension');

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  userDataDir: string;
  popupUrl: string;
  optionsUrl: string;
  /** The dialer, opened as a page (what the toolbar button shows). */
  openPopup(): Promise<Page>;
  /** Points the dialer at `server` as a person does, on the options page (the build's default is localhost:3000). */
  useServer(server: string): Promise<void>;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

/** `userDataDir`: open an existing profile (a copy of a closed one, say) instead of a fresh one. */
export async function launchWithExtension(options: { dir?: string; userDataDir?: string } = {}): Promise<ExtensionBrowser> {
  const dir = options.dir ?? EXTENSION_DIR;
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'twofold-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
    viewport: { width: 1000, height: 760 },
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    action: { default_popup: string };
    options_ui?: { page: string };
  };
  const base = `chrome-extension://${extensionId}/`;
  return {
    context,
    worker,
    extensionId,
    userDataDir,
    popupUrl: base + manifest.action.default_popup,
    optionsUrl: base + (manifest.options_ui?.page ?? ''),
    async openPopup() {
      // Chrome may hand a new blank tab to the extension's own openOptionsPage (it reuses a blank tab) while this
      // navigates it: then the navigation is interrupted and the tab shows the options page. Open another.
      for (let attempt = 1; ; attempt++) {
        const page = await context.newPage();
        await page.setViewportSize({ width: 360, height: 600 });
        try {
          await page.goto(base + manifest.action.default_popup);
          return page;
        } catch (error) {
          if (attempt === 3 || !String(error).includes('interrupted by another navigation')) throw error;
        }
      }
    },
    async useServer(server) {
      const page = await context.newPage();
      // As a person would: when the page says the extension did not answer ("Please try again"; an MV3 worker
      // can be restarting under load), or says nothing for a long while (seen once in CI: no answer in 30 s), open
      // it again and retry; a third failure fails with what the page said, or that it said nothing.
      const done = page.getByText(`The dialer now uses ${server}.`);
      const refused = page.locator('.alert--error');
      for (let attempt = 1; ; attempt++) {
        await page.goto(base + (manifest.options_ui?.page ?? ''));
        await page.getByLabel('Twofold server').fill(server);
        await page.getByRole('button', { name: 'Use this server' }).click();
        const answered = await done
          .or(refused)
          .first()
          .waitFor({ timeout: 15_000 })
          .then(
            () => true,
            () => false,
          );
        if (answered && (await done.isVisible())) break;
        if (attempt === 3)
          throw new Error(`the options page refused ${server}: ${answered ? await refused.textContent() : 'no answer in 15 s'}`);
      }
      await page.close();
    },
    async close({ keepProfile = false } = {}) {
      await context.close();
      if (!keepProfile) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
