// Debian's Firefox ESR, driven headless over WebDriver BiDi (the standard protocol Firefox speaks natively), with
// the Firefox build of the extension installed as a temporary add-on (webExtension.install, like about:debugging's
// "Load Temporary Add-on"). Playwright's own Firefox needs its patched build, and its BiDi mode needs commands this
// ESR lacks (emulation.setMediaFeaturesOverride), so this speaks the few BiDi commands the smoke test needs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { GECKO_ID } from '../../manifest.config.ts';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = resolve('dist/extension-firefox');
/** The add-on's internal UUID, fixed by a pref so the test knows its moz-extension:// origin. */
const EXTENSION_UUID = '6b0d1c1e-7a53-4c55-9d31-2f1f7e1d0a11';

interface BidiError {
  error: string;
  message: string;
}
type Pending = { resolve(value: unknown): void; reject(error: Error): void };

export interface FirefoxWithExtension {
  origin: string;
  popupUrl: string;
  optionsUrl: string;
  /** BiDi command, answered or thrown. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown>): Promise<T>;
  /** The first tab's browsing context, the default target of the calls below. */
  context: string;
  /** The browsing context of the tab whose URL starts with `prefix`, once there is one. */
  tabAt(prefix: string): Promise<string>;
  navigate(url: string, context?: string): Promise<void>;
  /** Evaluates an async function body in a tab and returns its JSON value. */
  evaluate<T>(body: string, context?: string): Promise<T>;
  /** Waits until the expression (in a tab) is truthy, and returns it. */
  waitFor<T>(expression: string, context?: string, timeoutMs?: number): Promise<T>;
  /** A real (trusted) click at the centre of the element the expression returns. */
  click(elementExpression: string, context?: string): Promise<void>;
  /** Types into the field the expression returns, as input events (what Preact's onInput hears). */
  fill(elementExpression: string, value: string, context?: string): Promise<void>;
  close(): Promise<void>;
}

/** Prefs for a quiet headless profile, plus the extension's fixed UUID. `prefs` adds or overrides. */
function userJs(prefs: Record<string, string | number | boolean>): string {
  const all: Record<string, string | number | boolean> = {
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.disabledForTesting': true,
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
    ...prefs,
  };
  return Object.entries(all)
    .map(([key, value]) => `user_pref(${JSON.stringify(key)}, ${JSON.stringify(value)});`)
    .join('\n');
}

export async function launchFirefoxWithExtension(
  options: { prefs?: Record<string, string | number | boolean>; dir?: string } = {},
): Promise<FirefoxWithExtension> {
  const profile = mkdtempSync(join(tmpdir(), 'twofold-firefox-'));
  writeFileSync(join(profile, 'user.js'), userJs(options.prefs ?? {}));
  const child: ChildProcess = spawn(FIREFOX_PATH, ['--headless', '--no-remote', '--remote-debugging-port=0', '--profile', profile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  let log = '';
  const endpoint = await new Promise<string>((resolveEndpoint, reject) => {
    const timer = setTimeout(() => reject(new Error(`Firefox did not start WebDriver BiDi within 60 s:\n${log}`)), 60_000);
    const onData = (data: Buffer) => {
      log += data.toString();
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveEndpoint(match[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Firefox exited (${code}) before BiDi was ready:\n${log}`));
    });
  });

  const socket = new WebSocket(`${endpoint}/session`);
  await new Promise<void>((done, fail) => {
    socket.once('open', () => done());
    socket.once('error', fail);
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; type: string; result?: unknown } & Partial<BidiError>;
    if (message.id === undefined) return; // events are not used
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'error') waiting?.reject(new Error(`${message.error}: ${message.message}`));
    else waiting?.resolve(message.result);
  });
  const send = <T>(method: string, params: Record<string, unknown>) =>
    new Promise<T>((resolveResult, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveResult as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  await send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
  await send('webExtension.install', { extensionData: { type: 'path', path: options.dir ?? FIREFOX_EXTENSION_DIR } });
  const tree = await send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', {});
  const context = tree.contexts[0]!.context;
  const origin = `moz-extension://${EXTENSION_UUID}`;
  const manifest = JSON.parse(readFileSync(join(options.dir ?? FIREFOX_EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
    action: { default_popup: string };
    options_ui: { page: string };
  };

  const evaluate = async <T>(body: string, where = context): Promise<T> => {
    const answer = await send<{ type: string; result?: { type: string; value?: unknown }; exceptionDetails?: { text: string } }>(
      'script.evaluate',
      {
        expression: `(async () => JSON.stringify(await (async () => { ${body} })()))()`,
        target: { context: where },
        awaitPromise: true,
      },
    );
    if (answer.type === 'exception') throw new Error(`in Firefox: ${answer.exceptionDetails?.text}`);
    const text = answer.result?.value;
    return (typeof text === 'string' ? JSON.parse(text) : undefined) as T;
  };

  return {
    origin,
    popupUrl: `${origin}/${manifest.action.default_popup}`,
    optionsUrl: `${origin}/${manifest.options_ui.page}`,
    send,
    context,
    async tabAt(prefix) {
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const { contexts } = await send<{ contexts: Array<{ context: string; url: string }> }>('browsingContext.getTree', {});
        const found = contexts.find((c) => c.url.startsWith(prefix));
        if (found) return found.context;
      }
      throw new Error(`Firefox: no tab at ${prefix}`);
    },
    async navigate(url, where = context) {
      await send('browsingContext.navigate', { context: where, url, wait: 'complete' });
    },
    evaluate,
    async waitFor<T>(expression: string, where = context, timeoutMs = 15_000): Promise<T> {
      const value = await evaluate<T | null>(
        `
        const deadline = Date.now() + ${timeoutMs};
        for (;;) {
          const value = (() => { try { return ${expression}; } catch { return null; } })();
          if (value) return value;
          if (Date.now() > deadline) return null;
          await new Promise((r) => setTimeout(r, 50));
        }`,
        where,
      );
      if (!value) throw new Error(`Firefox: still waiting after ${timeoutMs} ms for ${expression}`);
      return value;
    },
    async fill(elementExpression, value, where = context) {
      await evaluate(
        `const field = ${elementExpression}; field.focus(); field.value = ${JSON.stringify(value)}; field.dispatchEvent(new Event('input', { bubbles: true })); return true;`,
        where,
      );
    },
    async click(elementExpression, where = context) {
      await send('browsingContext.activate', { context: where });
      const box = await evaluate<{ x: number; y: number }>(
        `const r = (${elementExpression}).getBoundingClientRect(); return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };`,
        where,
      );
      await send('input.performActions', {
        context: where,
        actions: [
          {
            type: 'pointer',
            id: 'mouse',
            parameters: { pointerType: 'mouse' },
            actions: [
              { type: 'pointerMove', x: box.x, y: box.y },
              { type: 'pointerDown', button: 0 },
              { type: 'pointerUp', button: 0 },
            ],
          },
        ],
      });
    },
    async close() {
      await send('browser.close', {}).catch(() => undefined);
      socket.close();
      if (child.exitCode === null)
        await new Promise((done) => {
          child.once('exit', done);
          setTimeout(() => {
            child.kill('SIGKILL');
          }, 10_000);
        });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
