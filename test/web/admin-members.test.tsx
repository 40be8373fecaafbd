// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { Member } from '../../shared/schemas.ts';
import { MembersTab } from '../../web/pages/admin/members-tab.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const base = '/accounts/acc-1';
const members: Member[] = [
  {
    userId: 'u1',
    email: 'olga@example.com',
    name: 'Olga',
    role: 'owner',
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled: true,
      methods: ['totp'],
      required: false,
      requiredReason: null,
      canReset: true,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  },
  {
    userId: 'u2',
    email: 'mo@example.com',
    name: 'Mo',
    role: 'member',
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled: false,
      methods: [],
      required: false,
      requiredReason: null,
      canReset: false,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  },
  {
    userId: 'u3',
    email: 'ann@example.com',
    name: 'Ann',
    role: 'member',
    require2fa: false,
    managed: true,
    twoFactor: {
      enabled: true,
      methods: ['sms'],
      required: false,
      requiredReason: null,
      canReset: true,
      canIssueRecoveryCode: true,
      setupDueBy: null,
      overdue: false,
    },
  },
];

let root: HTMLElement;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const row = (email: string) => root.querySelector(`[data-testid="member-${email}"]`)!;

describe('member directory', () => {
  it('filters to members without 2FA and greys out "Reset 2FA" with the reason when there is nothing to reset', async () => {
    fakeApi({ [`GET ${base}/members`]: () => ({ body: members }), [`GET ${base}/invitations`]: () => ({ body: [] }) });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" selfVerified />, root));
    await settle();
    expect(root.querySelectorAll('tbody tr[data-testid]')).toHaveLength(3);
    const filter = root.querySelector('#filter-without') as HTMLInputElement;
    act(() => {
      filter.checked = true;
      filter.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect([...root.querySelectorAll('tbody tr[data-testid]')].map((r) => r.getAttribute('data-testid'))).toEqual([
      'member-mo@example.com',
    ]);
    const reset = buttonNamed(row('mo@example.com'), 'Reset 2FA');
    expect(reset.disabled).toBe(true);
    expect(row('mo@example.com').textContent).toContain('Nothing to reset');
    // Owners do not get a recovery code for themselves; they do for others.
    act(() => {
      filter.checked = false;
      filter.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(row('olga@example.com').textContent).not.toContain('Generate recovery code');
    expect(row('ann@example.com').textContent).toContain('Generate recovery code');
  });

  it('hides the recovery code from admins', async () => {
    fakeApi({ [`GET ${base}/members`]: () => ({ body: members }), [`GET ${base}/invitations`]: () => ({ body: [] }) });
    act(() => render(<MembersTab accountId="acc-1" isOwner={false} selfId="u9" selfVerified />, root));
    await settle();
    expect(root.textContent).not.toContain('Generate recovery code');
    expect(buttonNamed(row('ann@example.com'), 'Reset 2FA').disabled).toBe(false);
  });

  it('shows a recovery code once, with a live countdown to its expiry', async () => {
    const calls = fakeApi({
      [`GET ${base}/members`]: () => ({ body: members }),
      [`GET ${base}/invitations`]: () => ({ body: [] }),
      [`POST ${base}/members/u3/recovery-code`]: () => ({ status: 201, body: { code: 'RCV-7788-XYZ', expiresAt: '2026-11-23T11:00:00Z' } }),
    });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" selfVerified />, root));
    await settle();
    act(() => buttonNamed(row('ann@example.com'), 'Generate recovery code').click());
    await settle();
    expect(calls.some((c) => c.method === 'POST' && c.path === `${base}/members/u3/recovery-code`)).toBe(true);
    const dialog = root.querySelector('[data-testid=recovery-dialog]')!;
    expect(dialog.querySelector('[data-testid=recovery-code]')!.textContent).toBe('RCV-7788-XYZ');
    expect(dialog.querySelector('[data-testid=countdown]')!.textContent).toBe('1:00:00');
    act(() => {
      vi.advanceTimersByTime(61_000);
    });
    expect(dialog.querySelector('[data-testid=countdown]')!.textContent).toBe('58:59');
  });

  it('lists pending invitations with resend and withdraw (after a confirmation), and says "Invitation sent to …" after inviting', async () => {
    const pending = [
      {
        id: 'inv-1',
        email: 'newbie@example.com',
        role: 'member',
        invitedBy: 'Olga',
        createdAt: '2026-11-22T09:00:00Z',
        expiresAt: '2026-11-29T09:00:00Z',
      },
    ];
    const calls = fakeApi({
      [`GET ${base}/members`]: () => ({ body: members }),
      [`GET ${base}/invitations`]: () => ({ body: pending }),
      [`POST ${base}/members`]: (body) => ({
        status: 201,
        body: { invitation: { id: 'inv-2', email: (body as { email: string }).email, role: 'admin', expiresAt: '2026-11-30T10:00:00Z' } },
      }),
      [`POST ${base}/invitations/inv-1/resend`]: () => ({
        body: { invitation: { id: 'inv-1', email: 'newbie@example.com', role: 'member', expiresAt: '2026-11-30T10:00:00Z' } },
      }),
      [`DELETE ${base}/invitations/inv-1`]: () => ({ status: 204 }),
    });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" selfVerified />, root));
    await settle();
    const invitation = root.querySelector('[data-testid="invitation-newbie@example.com"]')!;
    expect(invitation.textContent).toContain('Pending');
    expect(invitation.textContent).toContain('invited by Olga');

    act(() => buttonNamed(invitation, 'Resend').click());
    await settle();
    expect(calls.some((c) => c.method === 'POST' && c.path === `${base}/invitations/inv-1/resend`)).toBe(true);
    expect(root.querySelector('[data-testid=toast]')!.textContent).toContain('A new invitation link was sent to newbie@example.com');

    act(() => buttonNamed(root.querySelector('[data-testid="invitation-newbie@example.com"]')!, 'Withdraw').click());
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(document.querySelector('dialog')!.textContent).toContain('The link we emailed to newbie@example.com will stop working');
    act(() => buttonNamed(document.querySelector('dialog')!, 'Withdraw invitation').click());
    await settle();
    expect(calls.some((c) => c.method === 'DELETE' && c.path === `${base}/invitations/inv-1`)).toBe(true);

    const email = root.querySelector('#add-email') as HTMLInputElement;
    act(() => {
      email.value = 'grace@example.com';
      email.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      root.querySelector('form[aria-labelledby=invite-title]')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.find((c) => c.method === 'POST' && c.path === `${base}/members`)!.body).toEqual({
      email: 'grace@example.com',
      role: 'member',
    });
    expect(root.querySelector('[data-testid=invite-sent]')!.textContent).toContain('Invitation sent to grace@example.com');
    expect(root.textContent).not.toContain('grace@example.com added');
  });

  it('explains, instead of offering, reset and recovery codes for a member the account does not manage', async () => {
    const unmanaged: Member = {
      ...members[2]!,
      managed: false,
      twoFactor: { ...members[2]!.twoFactor, canReset: false, canIssueRecoveryCode: false },
    };
    const managedOne: Member = { ...members[1]!, managed: true, twoFactor: { ...members[1]!.twoFactor, canIssueRecoveryCode: true } };
    fakeApi({
      [`GET ${base}/members`]: () => ({ body: [members[0], managedOne, unmanaged] }),
      [`GET ${base}/invitations`]: () => ({ body: [] }),
    });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" selfVerified />, root));
    await settle();
    const ann = row('ann@example.com');
    expect(ann.textContent).toContain('Joined with their own Twofold sign-in');
    expect([...ann.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Reset 2FA');
    expect(ann.textContent).not.toContain('Generate recovery code');
    expect(ann.querySelector('[data-testid=unmanaged-reason]')!.textContent).toContain(
      'only the account they signed up with can reset their 2FA or give them a recovery code',
    );
    expect(row('mo@example.com').textContent).toContain('Generate recovery code');
  });

  it('asks an inviter with an unverified email to verify first, and holds the form back', async () => {
    fakeApi({ [`GET ${base}/members`]: () => ({ body: members }), [`GET ${base}/invitations`]: () => ({ body: [] }) });
    act(() => render(<MembersTab accountId="acc-1" isOwner selfId="u1" selfVerified={false} />, root));
    await settle();
    expect(root.querySelector('[data-testid=verify-to-invite]')!.textContent).toContain(
      'Verify your own email address before you invite people',
    );
    expect(root.querySelector('[data-testid=verify-to-invite] a')!.getAttribute('href')).toBe('/check-email');
    expect((root.querySelector('form[aria-labelledby=invite-title] fieldset') as HTMLFieldSetElement).disabled).toBe(true);
  });
});
