// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { Member } from '../../shared/schemas.ts';
import { MembersTab } from '../../web/pages/admin/members-tab.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const base = '/accounts/acc-1';
const members: Member[] = [
  { userId: 'u1', email: 'olga@example.com', name: 'Olga', role: 'owner', require2fa: false, managed: true, twoFactor: { enabled: true, methods: ['totp'], required: false, requiredReason: null, canReset: true, canIssueRecoveryCode: true, setupDueBy: null, overdue: false } },
  { userId: 'u2', email: 'mo@example.com', name: 'Mo', role: 'member', require2fa: false, managed: true, twoFactor: { enabled: false, methods: [], required: false, requiredReason: null, canReset: false, canIssueRecoveryCode: true, setupDueBy: null, overdue: false } },
  { userId: 'u3', email: 'ann@example.com', name: 'Ann', role: 'member', require2fa: false, managed: true, twoFactor: { enabled: true, methods: ['sms'], required: false, requiredReason: null, canReset: true, canIssueRecoveryCode: true, setupDueBy: null, overdue: false } },
];

let root: HTMLElement;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => { act(() => render(null, root)); root.remove(); vi.unstubAllGlobals(); vi.useRealTimers(); });

const row = (email: string) => root.querySelector(`[data-testid="member-${email}"]`)!;

describe('member directory', () => {
  it('filters to members without 2FA and greys out "Reset 2FA" with the reason when there is nothing to reset', async () => {
    fakeApi({ [`GET ${base}/members`]: () => ({ body: members }) });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" />, root));
    await settle();
    expect(root.querySelectorAll('tbody tr[data-testid]')).toHaveLength(3);
    const filter = root.querySelector('#filter-without') as HTMLInputElement;
    act(() => { filter.checked = true; filter.dispatchEvent(new Event('change', { bubbles: true })); });
    expect([...root.querySelectorAll('tbody tr[data-testid]')].map((r) => r.getAttribute('data-testid'))).toEqual(['member-mo@example.com']);
    const reset = buttonNamed(row('mo@example.com'), 'Reset 2FA');
    expect(reset.disabled).toBe(true);
    expect(row('mo@example.com').textContent).toContain('Nothing to reset');
    // Owners do not get a recovery code for themselves; they do for others.
    act(() => { filter.checked = false; filter.dispatchEvent(new Event('change', { bubbles: true })); });
    expect(row('olga@example.com').textContent).not.toContain('Generate recovery code');
    expect(row('ann@example.com').textContent).toContain('Generate recovery code');
  });

  it('hides the recovery code from admins', async () => {
    fakeApi({ [`GET ${base}/members`]: () => ({ body: members }) });
    act(() => render(<MembersTab accountId="acc-1" isOwner={false} selfId="u9" />, root));
    await settle();
    expect(root.textContent).not.toContain('Generate recovery code');
    expect(buttonNamed(row('ann@example.com'), 'Reset 2FA').disabled).toBe(false);
  });

  it('shows a recovery code once, with a live countdown to its expiry', async () => {
    const calls = fakeApi({
      [`GET ${base}/members`]: () => ({ body: members }),
      [`POST ${base}/members/u3/recovery-code`]: () => ({ status: 201, body: { code: 'RCV-7788-XYZ', expiresAt: '2026-11-23T11:00:00Z' } }),
    });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" />, root));
    await settle();
    act(() => buttonNamed(row('ann@example.com'), 'Generate recovery code').click());
    await settle();
    expect(calls.some((c) => c.method === 'POST' && c.path === `${base}/members/u3/recovery-code`)).toBe(true);
    const dialog = root.querySelector('[data-testid=recovery-dialog]')!;
    expect(dialog.querySelector('[data-testid=recovery-code]')!.textContent).toBe('RCV-7788-XYZ');
    expect(dialog.querySelector('[data-testid=countdown]')!.textContent).toBe('1:00:00');
    act(() => { vi.advanceTimersByTime(61_000); });
    expect(dialog.querySelector('[data-testid=countdown]')!.textContent).toBe('58:59');
  });
});
