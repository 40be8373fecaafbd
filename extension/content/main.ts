// The content script on Twofold's own origins (isolated world): tells the page when the shared session starts
// or ends, mirrors the trusted-device token, offers to keep an authenticator being set up, and fills the
// sign-in code. It asks the worker for the current code; it never sees a secret.
import { onBroadcast, send } from '../browser-api.ts';
import { SESSION_EVENT } from '../messages.ts';
import { describeTarget, fillTarget, findCodeTarget, isEmpty, targetKey } from './fields.ts';
import { showKeepPrompt } from './keep-prompt.ts';

const DEVICE_TOKEN_KEY = 'twofold.deviceToken';
const handled = new WeakMap<HTMLInputElement, string>();
let offeredUri: string | null = null;
let closePrompt: (() => void) | null = null;

function readPageDeviceToken(): string | null {
  try { return localStorage.getItem(DEVICE_TOKEN_KEY); } catch { return null; }
}

async function hello(): Promise<void> {
  const { deviceToken } = await send('page:hello', { deviceToken: readPageDeviceToken() });
  if (deviceToken) {
    try { localStorage.setItem(DEVICE_TOKEN_KEY, deviceToken); } catch { /* storage blocked: nothing to mirror */ }
  }
}

/** The web app saves a new device token just after its sign-in answer, and a page gets no event for its own
 * localStorage writes: after a sign-in, look every 100 ms for 3 s and report a change at once. */
function watchDeviceToken(): void {
  let last = readPageDeviceToken();
  void hello().catch(() => undefined);
  const started = Date.now();
  const timer = setInterval(() => {
    const now = readPageDeviceToken();
    if (now !== last) {
      last = now;
      void hello().catch(() => undefined);
    }
    if (Date.now() - started > 3000) clearInterval(timer);
  }, 100);
}

function offerToKeep(): void {
  const host = document.querySelector('[data-otpauth-uri]');
  const uri = host?.getAttribute('data-otpauth-uri') ?? '';
  if (!uri.startsWith('otpauth://') || uri === offeredUri) return;
  offeredUri = uri;
  closePrompt?.();
  const user = host?.closest('[data-twofold-user]')?.getAttribute('data-twofold-user') ?? document.querySelector('[data-twofold-user]')?.getAttribute('data-twofold-user') ?? null;
  closePrompt = showKeepPrompt(document, { onKeep: async () => (await send('vault:keep', { uri, user: user || null })).name });
}

async function fillCode(): Promise<void> {
  const target = findCodeTarget(document);
  if (!target || !isEmpty(target)) return;
  const { user, method } = describeTarget(target, document);
  if (!user || (method !== null && method !== 'totp')) return;
  const key = targetKey(target);
  if (handled.get(key) === `${user}|${method}`) return;
  handled.set(key, `${user}|${method}`);
  const { code } = await send('code:for-page', { user });
  if (code && key.isConnected && isEmpty(target)) fillTarget(target, code);
}

let scheduled = false;
function scan(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    offerToKeep();
    void fillCode().catch(() => undefined);
  });
}

onBroadcast((message) => {
  if (message.broadcast !== 'session-changed') return;
  // The page's own listener re-checks its session: no reload, so no reload loop.
  window.dispatchEvent(new CustomEvent(SESSION_EVENT, { detail: message.state }));
  if (message.state === 'started') watchDeviceToken();
});

new MutationObserver(scan).observe(document, {
  subtree: true, childList: true, attributes: true,
  attributeFilter: ['data-otpauth-uri', 'data-twofold-user', 'data-twofold-method', 'autocomplete', 'maxlength', 'disabled'],
});
void hello().catch(() => undefined);
scan();
