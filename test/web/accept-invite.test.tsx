// @vitest-environment happy-dom
// The invitation page against the consent API's shapes: the preview in plain words, then the right action for
// whoever is here. The token arrives after `#`, leaves the address bar at once, and waits in sessionStorage only.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { AcceptInvitePage } from '../../web/pages/accept-invite.tsx';
import type { InvitationPreview, User } from '../../shared/schemas.ts';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

const TOKEN = 'inv_0123456789abcdef';
const preview: InvitationPreview = {
  accountName: 'Harbour Freight',
  invitedBy: 'Grace Hopper',
  invitedByEmail: 'grace@harbour.test',
  role: 'admin',
  email: 'alan@example.com',
  expiresAt: '2026-11-30T10:00:00Z',
  existingUser: false,
  managed: true,
  accountMay: ['require_2fa', 'change_role', 'remove', 'reset_2fa', 'issue_recovery_code'],
};
const alan: User = { id: 'u-alan', email: 'alan@example.com', name: 'Alan', emailVerified: true };

let root: HTMLElement;
const handlers = () => ({
  onJoined: vi.fn(),
  onAccepted: vi.fn(),
  onSignIn: vi.fn(),
  onSignOut: vi.fn(),
  onContinue: vi.fn(),
  onCheckEmail: vi.fn(),
});
beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', `/accept-invite#token=${TOKEN}`);
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
});

async function open(user: User | null, answer: Partial<InvitationPreview> = {}, extra: Parameters<typeof fakeApi>[0] = {}) {
  const calls = fakeApi({ 'POST /auth/invitation': () => ({ body: { ...preview, ...answer } }), ...extra });
  const props = handlers();
  act(() => render(<AcceptInvitePage user={user} {...props} />, root));
  await settle();
  return { calls, props };
}
const text = () => root.textContent ?? '';
function fill(selector: string, value: string) {
  const input = root.querySelector(selector) as HTMLInputElement;
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('accept invitation', () => {
  it('takes the token from after # and clears it from the address bar, posting it in a body only', async () => {
    const { calls } = await open(null);
    expect(location.hash).toBe('');
    expect(location.href).not.toContain(TOKEN);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/auth/invitation', body: { inviteToken: TOKEN } });
    expect(calls.every((c) => !c.path.includes(TOKEN))).toBe(true);
    expect(sessionStorage.getItem('twofold.inviteToken')).toBe(TOKEN);
  });

  it('says who invites whom to what, and what the account may do, in plain words', async () => {
    await open(null);
    const summary = root.querySelector('[data-testid=invitation-preview]')!.textContent!;
    expect(summary).toContain('Grace Hopper (grace@harbour.test) invited alan@example.com to join Harbour Freight as an admin');
    const may = root.querySelector('[data-testid=account-may]')!.textContent!;
    expect(may).toContain('require you to use two-factor authentication');
    expect(may).toContain('reset your two-factor authentication');
    expect(may).toContain('give you a one-time recovery code');
  });

  it('tells an existing user the account cannot reset them (managed: false)', async () => {
    await open(null, { existingUser: true, managed: false, accountMay: ['require_2fa', 'change_role', 'remove'] });
    const may = root.querySelector('[data-testid=account-may]')!.textContent!;
    expect(may).not.toContain('reset your two-factor authentication, for');
    expect(may).toContain('cannot reset your two-factor authentication');
  });

  it('a new person sets a name and password and joins', async () => {
    const { calls, props } = await open(
      null,
      {},
      {
        'POST /auth/accept-invite': () => ({
          status: 201,
          body: { status: 'authenticated', session: { token: 't', expiresAt: 'x' }, user: { ...alan } },
        }),
      },
    );
    fill('#invite-name', 'Alan Turing');
    fill('#invite-password', 'correct horse battery staple');
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls.at(-1)).toMatchObject({
      path: '/auth/accept-invite',
      body: { inviteToken: TOKEN, name: 'Alan Turing', password: 'correct horse battery staple' },
    });
    expect(props.onJoined).toHaveBeenCalledOnce();
    expect(text()).toContain('You joined Harbour Freight');
    expect(sessionStorage.getItem('twofold.inviteToken')).toBeNull();
  });

  it('the invited user, signed in and verified, joins with one button', async () => {
    const { calls, props } = await open(
      alan,
      { existingUser: true, managed: false },
      {
        'POST /auth/accept-invite': () => ({ body: { account: { id: 'acc-h', name: 'Harbour Freight', role: 'admin' } } }),
      },
    );
    expect(root.querySelector('#invite-password')).toBeNull();
    act(() => buttonNamed(root, 'Join Harbour Freight').click());
    await settle();
    expect(calls.at(-1)).toMatchObject({ path: '/auth/accept-invite', body: { inviteToken: TOKEN } });
    expect(props.onAccepted).toHaveBeenCalledOnce();
    expect(text()).toContain('You are now an admin of Harbour Freight');
  });

  it('the wrong signed-in user gets a clear sentence and a sign-out link, and no button to join', async () => {
    const { props } = await open({ id: 'u-eve', email: 'eve@example.com', name: 'Eve', emailVerified: true }, { existingUser: true });
    const wrong = root.querySelector('[data-testid=wrong-user]')!;
    expect(wrong.textContent).toContain('You’re signed in as eve@example.com, but this invitation is for alan@example.com');
    expect([...root.querySelectorAll('button')].some((b) => b.textContent?.startsWith('Join'))).toBe(false);
    act(() => (wrong.querySelector('a') as HTMLAnchorElement).click());
    expect(props.onSignOut).toHaveBeenCalledOnce();
    // Signing out keeps the invitation for the right person.
    expect(sessionStorage.getItem('twofold.inviteToken')).toBe(TOKEN);
  });

  it('the invited user with an unverified email is asked to verify first', async () => {
    const { props } = await open({ ...alan, emailVerified: false }, { existingUser: true });
    expect(text()).toContain('Please verify your email before you join');
    act(() => buttonNamed(root, 'Verify my email').click());
    expect(props.onCheckEmail).toHaveBeenCalledOnce();
  });

  it('an existing user who is signed out signs in first and comes back, the token kept in this tab only', async () => {
    const { props } = await open(null, { existingUser: true, managed: false });
    const link = [...root.querySelectorAll('a')].find((a) => a.textContent === 'Sign in to accept')!;
    act(() => link.click());
    expect(props.onSignIn).toHaveBeenCalledWith('alan@example.com');
    expect(sessionStorage.getItem('twofold.returnToInvite')).toBe('1');
    // Back after signing in: no hash any more, the token comes from sessionStorage.
    act(() => render(null, root));
    history.replaceState(null, '', '/accept-invite');
    const again = await open(alan, { existingUser: true, managed: false });
    expect(again.calls[0]!.body).toEqual({ inviteToken: TOKEN });
    expect(buttonNamed(root, 'Join Harbour Freight')).toBeTruthy();
  });

  it('an expired, revoked or used invitation says so and forgets the token', async () => {
    fakeApi({ 'POST /auth/invitation': () => ({ status: 410, body: { error: { code: 'challenge_expired', message: 'Expired.' } } }) });
    act(() => render(<AcceptInvitePage user={null} {...handlers()} />, root));
    await settle();
    expect(text()).toContain('This invitation can’t be used');
    expect(text()).toContain('Ask the person who invited you to send a new one');
    expect(sessionStorage.getItem('twofold.inviteToken')).toBeNull();
  });
});
