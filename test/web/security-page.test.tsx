// @vitest-environment happy-dom
// The Security page: new backup codes must be kept before their dialog closes (Done, × and Escape wait), the
// first codes are not said to replace older ones, removing a method asks first and names what stops working,
// and notices float without moving the page while focus stays in the row acted on.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { SecurityPage } from '../../web/pages/security.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const codes = Array.from({ length: 10 }, (_, i) => `ABCD-EFGH-${String(i).padStart(2, '0')}`);
const noKeys = { enabled: false, credentials: [] };
const off = {
  enabled: false,
  preferredMethod: null,
  methods: {
    totp: { enabled: false },
    sms: { enabled: false, phone: null, previousPhone: null },
    email: { enabled: false, address: null },
    webauthn: noKeys,
  },
  backupCodes: { remaining: 0, low: false },
  required: false,
  requiredBy: [],
  allowedMethods: ['totp', 'sms', 'email', 'webauthn'],
  canDisable: true,
};
const on = {
  ...off,
  enabled: true,
  preferredMethod: 'totp',
  methods: {
    totp: { enabled: true },
    sms: { enabled: false, phone: null, previousPhone: null },
    email: { enabled: true, address: 'm•••@example.com' },
    webauthn: noKeys,
  },
  backupCodes: { remaining: 10, low: false },
};

let root: HTMLElement;
let status: typeof off | typeof on;
let calls: ReturnType<typeof fakeApi>;
beforeEach(() => {
  status = off;
  calls = fakeApi({
    'GET /me/2fa': () => ({ body: status }),
    'GET /me/devices': () => ({ body: [] }),
    'GET /me/sessions': () => ({ body: [] }),
    'POST /me/2fa/totp': () => ({
      body: {
        secret: 'JBSWY3DPEHPK3PXP',
        otpauthUri: 'otpauth://totp/Twofold:m%40example.com?secret=JBSWY3DPEHPK3PXP',
        qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      },
    }),
    'POST /me/2fa/totp/verify': () => {
      status = on;
      return { body: { enabled: true, backupCodes: codes } };
    },
    'POST /me/2fa/backup-codes': () => ({ body: { codes } }),
    'PUT /me/2fa/preferred': () => ({ body: {} }),
    'DELETE /me/2fa/email': () => ({ status: 204 }),
  });
  URL.createObjectURL = vi.fn(() => 'blob:codes');
  URL.revokeObjectURL = vi.fn();
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
});

const dialog = () => document.querySelector('dialog[open]') as HTMLDialogElement | null;
function pressEscape() {
  act(() => {
    const d = dialog()!;
    const key = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    d.dispatchEvent(key);
    if (!key.defaultPrevented) d.dispatchEvent(new Event('cancel', { cancelable: true }));
  });
}

async function turnOnTotp() {
  act(() => render(<SecurityPage email="mina@example.com" onSignedOut={() => {}} />, root));
  await settle();
  act(() => buttonNamed(root.querySelector('[data-testid=method-totp]')!, 'Set up').click());
  await settle();
  const input = root.querySelector('#totp-setup-code') as HTMLInputElement;
  // The sixth digit sends the code: no button press.
  act(() => {
    input.value = '123456';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await settle();
}

describe('security page', () => {
  it('sends the setup code on its sixth digit, and offers to copy the key', async () => {
    act(() => render(<SecurityPage email="mina@example.com" onSignedOut={() => {}} />, root));
    await settle();
    act(() => buttonNamed(root.querySelector('[data-testid=method-totp]')!, 'Set up').click());
    await settle();
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    act(() => buttonNamed(root, 'Copy key').click());
    await settle();
    expect(writeText).toHaveBeenCalledWith('JBSWY3DPEHPK3PXP');
    expect(root.textContent).toContain('Key copied.');
    const input = root.querySelector('#totp-setup-code') as HTMLInputElement;
    act(() => {
      input.value = '12345';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(calls.some((c) => c.path === '/me/2fa/totp/verify')).toBe(false);
    act(() => {
      input.value = '123456';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(calls.filter((c) => c.path === '/me/2fa/totp/verify').map((c) => c.body)).toEqual([{ code: '123456' }]);
  });

  it('keeps the first backup codes open until they are saved; Done, × and Escape wait', async () => {
    await turnOnTotp();
    const d = dialog()!;
    expect(d.getAttribute('data-testid')).toBe('backup-codes-dialog');
    expect(d.textContent).not.toContain('older codes');
    expect(d.querySelector('[aria-label=Close]')).toBeNull();
    expect(buttonNamed(d, 'Done').disabled).toBe(true);
    pressEscape();
    pressEscape();
    expect(dialog()).not.toBeNull();
    expect(d.querySelector('#codes-gate')!.className).toContain('hint--warning');
    const tick = d.querySelector('#codes-saved') as HTMLInputElement;
    act(() => {
      tick.checked = true;
      tick.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(buttonNamed(d, 'Done').disabled).toBe(false);
    pressEscape();
    expect(dialog()).toBeNull();
  });

  it('regenerated codes say the older ones stopped working, and a download counts as saved', async () => {
    status = on;
    act(() => render(<SecurityPage email="mina@example.com" onSignedOut={() => {}} />, root));
    await settle();
    act(() => buttonNamed(root, 'Create new codes').click());
    act(() => buttonNamed(dialog()!, 'Create new codes').click());
    await settle();
    const d = dialog()!;
    expect(d.textContent).toContain('Your older codes no longer work.');
    expect(buttonNamed(d, 'Done').disabled).toBe(true);
    act(() => buttonNamed(d, 'Download .txt').click());
    expect(buttonNamed(d, 'Done').disabled).toBe(false);
  });

  it('asks before removing a method, naming what stops working', async () => {
    status = on;
    act(() => render(<SecurityPage email="mina@example.com" onSignedOut={() => {}} />, root));
    await settle();
    act(() => buttonNamed(root.querySelector('[data-testid=method-email]')!, 'Remove').click());
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    const d = dialog()!;
    expect(d.textContent).toContain('Codes emailed to m•••@example.com will stop working');
    act(() => buttonNamed(d, 'Remove').click());
    await settle();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/me/2fa/email')).toBe(true);
    expect(root.querySelector('[data-testid=toast]')!.textContent).toContain('Email removed.');
  });

  it('after "Make preferred", the notice floats in a polite live region and focus stays on the row', async () => {
    status = on;
    act(() => render(<SecurityPage email="mina@example.com" onSignedOut={() => {}} />, root));
    await settle();
    act(() => buttonNamed(root.querySelector('[data-testid=method-email]')!, 'Make preferred').click());
    await settle();
    const toast = root.querySelector('[data-testid=toast]')!;
    expect(toast.textContent).toContain('Email is now your preferred method.');
    expect(toast.closest('.toast-region')!.getAttribute('aria-live')).toBe('polite');
    // Nothing was added in the flow of the page above the methods.
    expect(root.querySelector('main > .notice--success')).toBeNull();
    expect(document.activeElement).toBe(root.querySelector('[data-testid=method-email]'));
  });
});
