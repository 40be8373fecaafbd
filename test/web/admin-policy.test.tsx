// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { Member, Policy } from '../../shared/schemas.ts';
import { PolicyTab } from '../../web/pages/admin/policy-tab.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const base = '/accounts/acc-1';
function member(name: string, role: Member['role'], enabled: boolean): Member {
  return {
    userId: name,
    email: `${name}@example.com`,
    name,
    role,
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled,
      methods: enabled ? ['totp'] : [],
      required: false,
      requiredReason: null,
      canReset: enabled,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  };
}
const policy: Policy = {
  enforce: 'admins',
  allowedMethods: ['totp', 'sms', 'email'],
  rememberDeviceDays: 30,
  enforceOutsideIpRanges: [],
  gracePeriodDays: 0,
  updatedAt: '2026-11-23T10:00:00Z',
};

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
});

function radio(value: string): HTMLInputElement {
  return root.querySelector(`input[name=enforce][value=${value}]`)!;
}
function choose(value: string) {
  act(() => {
    radio(value).checked = true;
    radio(value).dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('2FA policy form', () => {
  it('previews who will be asked to set up, and blocks "all" while an owner has no 2FA', async () => {
    fakeApi({
      [`GET ${base}/security/2fa-policy`]: () => ({ body: policy }),
      [`GET ${base}/members`]: () => ({
        body: [member('Olga', 'owner', false), member('Ada', 'admin', true), member('Mo', 'member', false)],
      }),
    });
    act(() => render(<PolicyTab accountId="acc-1" isOwner selfId="u-self" />, root));
    await settle();
    expect(radio('admins').checked).toBe(true);
    choose('all');
    const preview = root.querySelector('[data-testid=impact-preview]')!;
    expect(preview.querySelector('[data-testid=blocking-owners]')!.textContent).toContain('Olga');
    expect(preview.querySelector('[data-testid=impact-members]')!.textContent).toContain('Mo');
    expect(buttonNamed(root, 'Save policy').disabled).toBe(true);
    choose('off');
    expect(root.querySelector('[data-testid=blocking-owners]')).toBeNull();
    expect(buttonNamed(root, 'Save policy').disabled).toBe(false);
  });

  it('asks for the emailed code when the change loosens, and changes nothing until it is confirmed', async () => {
    const calls = fakeApi({
      [`GET ${base}/security/2fa-policy`]: () => ({ body: policy }),
      [`GET ${base}/members`]: () => ({ body: [member('Olga', 'owner', true)] }),
      [`PUT ${base}/security/2fa-policy`]: () => ({ status: 202, body: { confirmationId: 'conf-9', sentTo: 'o•••@example.com' } }),
      [`POST ${base}/security/2fa-policy/confirm`]: () => ({ status: 200, body: { ...policy, enforce: 'off' } }),
    });
    act(() => render(<PolicyTab accountId="acc-1" isOwner selfId="u-self" />, root));
    await settle();
    choose('off');
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.find((c) => c.method === 'PUT')!.body).toMatchObject({
      enforce: 'off',
      allowedMethods: ['totp', 'sms', 'email'],
      rememberDeviceDays: 30,
      enforceOutsideIpRanges: [],
    });
    expect(root.textContent).toContain('We emailed a code to o•••@example.com');
    const input = root.querySelector('input#policy-confirm-code') as HTMLInputElement;
    act(() => {
      input.value = '482 913';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.find((c) => c.path.endsWith('/confirm'))!.body).toEqual({ confirmationId: 'conf-9', code: '482913' });
    expect(root.textContent).toContain('Policy change confirmed and saved.');
  });

  it('shows the policy read-only to admins', async () => {
    fakeApi({
      [`GET ${base}/security/2fa-policy`]: () => ({ body: policy }),
      [`GET ${base}/members`]: () => ({ body: [] }),
    });
    act(() => render(<PolicyTab accountId="acc-1" isOwner={false} selfId="u-self" />, root));
    await settle();
    expect(root.textContent).toContain('Only owners can change the policy');
    expect(root.querySelectorAll('button').length).toBe(0);
  });

  it('tells an owner without 2FA, in the first person, to set it up, with a link to do it now', async () => {
    fakeApi({
      [`GET ${base}/security/2fa-policy`]: () => ({ body: { ...policy, enforce: 'off' } }),
      [`GET ${base}/members`]: () => ({
        body: [member('u-self', 'owner', false), member('Olga', 'owner', false), member('Mo', 'member', true)],
      }),
    });
    act(() => render(<PolicyTab accountId="acc-1" isOwner selfId="u-self" />, root));
    await settle();
    choose('all');
    const blocking = root.querySelector('[data-testid=blocking-owners]')!;
    expect(blocking.querySelector('[data-testid=self-blocking]')!.textContent).toContain(
      'You must set up two-factor authentication yourself',
    );
    const link = blocking.querySelector('a')!;
    expect([link.textContent, link.getAttribute('href')]).toEqual(['Set up 2FA now', '/security']);
    // The others are still named, but the signed-in owner is not listed in the third person.
    expect(blocking.textContent).toContain('These other owners must do it too');
    expect(blocking.textContent).toContain('Olga');
    expect(blocking.textContent).not.toContain('u-self@example.com');
  });
});
