// @vitest-environment happy-dom
// Create account, Check your email (resend with its cooldown, what to do if nothing arrives) and the emailed
// verification link, against the consent API's shapes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { SignupPage } from '../../web/pages/signup.tsx';
import { CheckEmailPage } from '../../web/pages/check-email.tsx';
import { VerifyEmailPage } from '../../web/pages/verify-email.tsx';
import { buttonNamed, fakeApi, settle } from './fake-api.ts';

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const text = () => root.textContent ?? '';
function fill(selector: string, value: string) {
  const input = root.querySelector(selector) as HTMLInputElement;
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
async function submit() {
  await act(async () => {
    root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await settle();
}
const ada = { id: 'u-ada', email: 'ada@example.com', name: 'Ada', emailVerified: false };

describe('create account', () => {
  it('signs up, then signs in with the same password', async () => {
    const calls = fakeApi({
      'POST /auth/signup': () => ({ status: 201, body: { user: ada, account: { id: 'acc', name: 'Engines' } } }),
      'POST /auth/login': () => ({ body: { status: 'authenticated', session: { token: 't', expiresAt: 'x' }, user: ada } }),
    });
    const onCreated = vi.fn();
    act(() => render(<SignupPage onCreated={onCreated} onSignIn={() => {}} />, root));
    expect(root.querySelector('#signup-password')!.getAttribute('autocomplete')).toBe('new-password');
    fill('#signup-name', 'Ada');
    fill('#signup-email', 'ada@example.com');
    fill('#signup-password', 'analytical engine 1843');
    fill('#signup-account', 'Engines');
    await submit();
    expect(calls[0]).toMatchObject({
      path: '/auth/signup',
      body: { name: 'Ada', email: 'ada@example.com', password: 'analytical engine 1843', accountName: 'Engines' },
    });
    expect(calls[1]).toMatchObject({
      path: '/auth/login',
      body: { email: 'ada@example.com', password: 'analytical engine 1843', client: 'web' },
    });
    expect(onCreated).toHaveBeenCalledWith('ada@example.com', expect.objectContaining({ status: 'authenticated' }));
  });

  it('a taken email offers to sign in instead, with the email kept', async () => {
    fakeApi({ 'POST /auth/signup': () => ({ status: 409, body: { error: { code: 'conflict', message: 'Taken.' } } }) });
    const onSignIn = vi.fn();
    act(() => render(<SignupPage onCreated={() => {}} onSignIn={onSignIn} />, root));
    fill('#signup-name', 'Ada');
    fill('#signup-email', 'ada@example.com');
    fill('#signup-password', 'analytical engine 1843');
    await submit();
    expect(root.querySelector('[role=alert]')!.textContent).toContain('There is already a Twofold account with that email.');
    act(() => {
      [...root.querySelectorAll('[role=alert] a')]
        .find((a) => a.textContent === 'Sign in instead')!
        .dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    });
    expect(onSignIn).toHaveBeenCalledWith('ada@example.com');
  });
});

describe('check your email', () => {
  it('resends the link, holds the button back for the cooldown, and says what to do if nothing arrives', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
    const calls = fakeApi({
      'POST /auth/verify-email/send': () => ({ status: 202, body: { sentTo: 'a•••@example.com', resendAfterSeconds: 30 } }),
    });
    act(() => render(<CheckEmailPage user={ada} onContinue={() => {}} onSignIn={() => {}} onVerified={() => {}} />, root));
    expect(root.querySelector('[data-testid=check-email-address]')!.textContent).toBe('ada@example.com');
    expect(text()).toContain('Nothing arrived?');
    expect(text()).toContain('spam');
    act(() => buttonNamed(root, 'Send the link again').click());
    await settle();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /auth/verify-email/send']);
    expect(text()).toContain('We sent a new link to a•••@example.com. The earlier link no longer works.');
    expect(buttonNamed(root, 'Send the link again').disabled).toBe(true);
    expect(text()).toContain('You can ask for another in 0:30');
    act(() => {
      vi.advanceTimersByTime(31_000);
    });
    expect(buttonNamed(root, 'Send the link again').disabled).toBe(false);
  });

  it('within the API’s cooldown, counts down instead of failing', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
    fakeApi({
      'POST /auth/verify-email/send': () => ({
        status: 429,
        body: { error: { code: 'too_many_attempts', message: 'Wait.', retryAfterSeconds: 20 } },
      }),
    });
    act(() => render(<CheckEmailPage user={ada} onContinue={() => {}} onSignIn={() => {}} onVerified={() => {}} />, root));
    act(() => buttonNamed(root, 'Send the link again').click());
    await settle();
    expect(buttonNamed(root, 'Send the link again').disabled).toBe(true);
    expect(text()).toContain('You can ask for another in 0:20');
  });
});

describe('the verification link', () => {
  it('posts the token from after #, clears it from the address bar, and says the email is verified', async () => {
    history.replaceState(null, '', '/verify-email#token=ver_abc123');
    const calls = fakeApi({ 'POST /auth/verify-email': () => ({ body: { user: { ...ada, emailVerified: true } } }) });
    const onSignIn = vi.fn();
    act(() =>
      render(<VerifyEmailPage user={null} onVerified={() => {}} onContinue={() => {}} onSignIn={onSignIn} onCheckEmail={() => {}} />, root),
    );
    await settle();
    expect(location.hash).toBe('');
    expect(calls).toEqual([expect.objectContaining({ method: 'POST', path: '/auth/verify-email', body: { token: 'ver_abc123' } })]);
    expect(root.querySelector('h1')!.textContent).toBe('Email verified');
    const signIn = root.querySelector('[data-testid=verified-sign-in]') as HTMLAnchorElement;
    expect(signIn.textContent).toBe('Sign in as ada@example.com');
    act(() => signIn.click());
    expect(onSignIn).toHaveBeenCalledWith('ada@example.com');
  });

  it('a used or expired link offers a new one to its signed-in owner', async () => {
    history.replaceState(null, '', '/verify-email#token=ver_old');
    fakeApi({ 'POST /auth/verify-email': () => ({ status: 410, body: { error: { code: 'challenge_expired', message: 'Expired.' } } }) });
    const onCheckEmail = vi.fn();
    act(() =>
      render(
        <VerifyEmailPage user={ada} onVerified={() => {}} onContinue={() => {}} onSignIn={() => {}} onCheckEmail={onCheckEmail} />,
        root,
      ),
    );
    await settle();
    expect(root.querySelector('h1')!.textContent).toBe('This link has expired');
    act(() => buttonNamed(root, 'Get a new link').click());
    expect(onCheckEmail).toHaveBeenCalledOnce();
  });
});
