// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { SetupPage } from '../../web/pages/setup.tsx';

const codes = Array.from({ length: 10 }, (_, i) => `ABCD-EFGH-${String(i).padStart(2, '0')}`);
let root: HTMLElement;
let calls: { url: string; init: RequestInit }[];

beforeEach(() => {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const body = url.endsWith('/me/2fa/totp')
        ? { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }
        : { enabled: true, backupCodes: codes, status: 'authenticated' };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
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

async function settle() {
  for (let i = 0; i < 5; i++)
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
}
const button = (name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name)!;

describe('forced setup page', () => {
  it('says who requires it, offers only the allowed methods, and will not finish before the codes are kept', async () => {
    const onDone = vi.fn();
    act(() =>
      render(
        <SetupPage
          setup={{
            challengeId: 'chal-1',
            allowedMethods: ['totp', 'email'],
            requiredBy: [{ accountId: 'a', accountName: 'Acme Logistics', reason: 'enforced_for_admins' }],
          }}
          onDone={onDone}
          onRecovered={() => {}}
          onSignOut={() => {}}
        />,
        root,
      ),
    );
    expect(root.querySelector('[data-testid=required-by]')!.textContent).toContain(
      'Acme Logistics requires this because it requires two-factor authentication for owners and admins',
    );
    expect([...root.querySelectorAll('[data-method]')].map((b) => b.getAttribute('data-method'))).toEqual(['totp', 'email']);

    act(() => (root.querySelector('[data-method=totp]') as HTMLButtonElement).click());
    await settle();
    expect(root.querySelector('[data-testid=totp-secret]')!.textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(root.querySelector('img')!.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    // Enrolment calls during setup_required carry the challenge id as a bearer token.
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer chal-1');

    const input = root.querySelector('input')!;
    act(() => {
      input.value = '123 456';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ code: '123456' });

    expect(root.querySelectorAll('[data-testid=backup-codes] li')).toHaveLength(10);
    expect(button('Continue').disabled).toBe(true);
    act(() => button('Continue').click());
    expect(onDone).not.toHaveBeenCalled();

    act(() => button('Download .txt').click());
    expect(URL.createObjectURL).toHaveBeenCalledOnce();
    expect(button('Continue').disabled).toBe(false);
    act(() => button('Continue').click());
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('after an accepted recovery code, says it worked and that setup is still needed', async () => {
    const { App } = await import('../../web/app.tsx');
    const { fakeApi, settle: settleAll } = await import('./fake-api.ts');
    history.replaceState(null, '', '/');
    let signedIn = false;
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
      required: true,
      requiredBy: [{ accountId: 'a', accountName: 'Acme Logistics', reason: 'enforced_for_all' }],
      allowedMethods: ['totp'],
      canDisable: false,
    };
    fakeApi({
      'GET /session': () =>
        signedIn
          ? {
              body: {
                user: { id: 'u', email: 'milo@example.com', name: 'Milo' },
                session: { expiresAt: 'x', clients: ['web'] },
                accounts: [],
                twoFactorSetupRequired: true,
              },
            }
          : { status: 401, body: { error: { code: 'unauthenticated', message: 'Please sign in.' } } },
      'POST /auth/login': () => ({
        body: { status: 'setup_required', challengeId: 'ch-9', allowedMethods: ['totp'], requiredBy: status.requiredBy, expiresAt: 'x' },
      }),
      'POST /auth/challenge/ch-9/verify': () => {
        signedIn = true;
        return {
          body: {
            status: 'authenticated',
            session: { token: 't', expiresAt: 'x' },
            user: { id: 'u', email: 'milo@example.com', name: 'Milo' },
          },
        };
      },
      'GET /me/2fa': () => ({ body: status }),
      'POST /me/2fa/totp': () => ({
        body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
      }),
    });
    act(() => render(<App />, root));
    await settleAll();
    const type = (selector: string, value: string) => {
      const input = root.querySelector(selector) as HTMLInputElement;
      act(() => {
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    type('#login-email', 'milo@example.com');
    type('#login-password', 'pw-pw-pw-pw');
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settleAll();
    expect(root.querySelector('h1')!.textContent).toBe('Set up two-factor authentication');
    act(() => button('I have a recovery code from an owner').click());
    type('#setup-recovery-code', 'RCV-1234-ABCD');
    await act(async () => {
      root.querySelector('.setup-foot form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settleAll();
    expect(root.querySelector('h1')!.textContent).toBe('Set up two-factor authentication');
    expect(root.querySelector('.notice--success')!.textContent).toContain('Your recovery code worked and you are signed in');
  });

  it('offers "I have saved them" as a way to keep the codes', async () => {
    act(() =>
      render(
        <SetupPage
          setup={{ challengeId: 'chal-1', allowedMethods: ['totp'], requiredBy: [], email: 'milo@example.com' }}
          onDone={() => {}}
          onRecovered={() => {}}
          onSignOut={() => {}}
        />,
        root,
      ),
    );
    await settle();
    const input = root.querySelector('#totp-setup-code') as HTMLInputElement;
    act(() => {
      input.value = '123456';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(button('Continue').disabled).toBe(true);
    const tick = root.querySelector('#codes-saved') as HTMLInputElement;
    act(() => {
      tick.checked = true;
      tick.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(button('Continue').disabled).toBe(false);
    // The printed sheet: product, whose codes, the date, the codes and how to use them.
    const sheet = document.querySelector('.print-sheet')!;
    expect(sheet.textContent).toContain('Twofold backup codes');
    expect(sheet.textContent).toContain('For milo@example.com');
    expect(sheet.textContent).toContain('Created');
    expect(sheet.querySelectorAll('.print-sheet__codes li')).toHaveLength(10);
    expect(sheet.textContent).toContain('How to use them');
  });
});
