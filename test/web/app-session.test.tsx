// @vitest-environment happy-dom
// The app tells "signed out" (and why) apart from "cannot reach Twofold": a session ended elsewhere drops to
// sign-in with a sentence for its reason; a network blip keeps the page, says it is retrying, and recovers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { App } from '../../web/app.tsx';
import { fakeApi, settle } from './fake-api.ts';

const user = { id: 'u1', email: 'mina@example.com', name: 'Mina', emailVerified: true };
const session = {
  user,
  session: { expiresAt: '2026-11-24T10:00:00Z', clients: ['web'] },
  accounts: [{ id: 'acc', name: 'Quay', role: 'member' }],
  twoFactorSetupRequired: false,
};
const status = {
  enabled: false,
  preferredMethod: null,
  methods: {
    totp: { enabled: false },
    sms: { enabled: false, phone: null, previousPhone: null },
    email: { enabled: false, address: null },
    webauthn: { enabled: false, credentials: [] },
  },
  backupCodes: { remaining: 0, low: false },
  required: false,
  requiredBy: [],
  allowedMethods: ['totp', 'sms', 'email'],
  canDisable: true,
};
const unauthenticated = (reason?: string) => ({
  status: 401,
  body: { error: { code: 'unauthenticated', message: 'Please sign in.', ...(reason ? { reason } : {}) } },
});

let root: HTMLElement;
let net: { offline: boolean; session: () => { status?: number; body?: unknown } };
beforeEach(() => {
  history.replaceState(null, '', '/security');
  net = { offline: false, session: () => ({ body: session }) };
  const online =
    <T,>(answer: () => T) =>
    () => {
      if (net.offline) throw new TypeError('Failed to fetch');
      return answer();
    };
  fakeApi({
    'GET /session': online(() => net.session()),
    'GET /me/2fa': online(() => ({ body: status })),
    'GET /me/devices': online(() => ({ body: [] })),
    'GET /me/sessions': online(() => ({ body: [] })),
    'GET /health': online(() => ({ body: { status: 'ok' } })),
  });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
});

const heading = () => root.querySelector('h1')?.textContent;
async function refocus() {
  await act(async () => {
    window.dispatchEvent(new Event('focus'));
  });
  await settle();
}

describe('signed out, and why', () => {
  it.each([
    ['2fa_reset', 'An administrator reset your two-factor authentication'],
    ['signed_out', 'because you signed out somewhere else'],
    ['2fa_enabled', 'Two-factor authentication was turned on for your account in another window'],
    ['ended', 'This session was ended'],
    ['expired', 'Your session expired'],
  ])('a session ended by %s drops the open tab to sign-in with a sentence, the email kept', async (reason, sentence) => {
    act(() => render(<App />, root));
    await settle();
    expect(heading()).toBe('Security');
    net.session = () => unauthenticated(reason);
    await refocus();
    expect(heading()).toBe('Sign in to Twofold');
    expect(root.querySelector('[role=status].notice')!.textContent).toContain(sentence);
    expect((root.querySelector('#login-email') as HTMLInputElement).value).toBe('mina@example.com');
  });

  it('no reason (an unknown token) is a plain sign-in page', async () => {
    net.session = () => unauthenticated();
    act(() => render(<App />, root));
    await settle();
    expect(heading()).toBe('Sign in to Twofold');
    expect(root.querySelector('.notice--empty')).not.toBeNull();
  });
});

describe('cannot reach Twofold', () => {
  it('a blip on a signed-in page keeps the page, says it is retrying, and recovers by itself', async () => {
    act(() => render(<App />, root));
    await settle();
    net.offline = true;
    await refocus();
    expect(heading()).toBe('Security');
    expect(root.querySelector('#login-password')).toBeNull();
    const banner = root.querySelector('[data-testid=connection-banner]')!;
    expect(banner.textContent).toContain('Can’t reach Twofold.');
    expect(banner.textContent).toContain('You’re still signed in');
    expect(banner.closest('[role=status]')).not.toBeNull();
    net.offline = false;
    await vi.waitFor(() => expect(root.querySelector('[data-testid=connection-banner]')).toBeNull(), { timeout: 5000 });
    expect(heading()).toBe('Security');
  });

  it('no answer at the first check says so instead of showing a sign-in form, then carries on', async () => {
    net.offline = true;
    act(() => render(<App />, root));
    await settle();
    expect(root.querySelector('[data-testid=unreachable]')!.textContent).toContain('Can’t reach Twofold');
    expect(root.querySelector('#login-password')).toBeNull();
    net.offline = false;
    await vi.waitFor(() => expect(heading()).toBe('Security'), { timeout: 5000 });
  });
});
