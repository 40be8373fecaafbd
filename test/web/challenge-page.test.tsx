// @vitest-environment happy-dom
// The challenge after a wrong code (attempts left, announced, the code kept and selected) and at a lockout
// (until when, counting down); and the sign-in page's own lockout.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { ChallengePage } from '../../web/pages/challenge.tsx';
import { LoginPage } from '../../web/pages/login.tsx';
import { clockTime } from '../../web/components/countdown.tsx';
import { fakeApi, settle } from './fake-api.ts';

const challenge = {
  challengeId: 'ch-1',
  methods: ['totp', 'backup_code', 'recovery_code'] as const,
  preferredMethod: 'totp' as const,
  expiresAt: '2026-11-23T10:10:00Z',
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
  vi.useRealTimers();
});

function type(input: HTMLInputElement, value: string) {
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

describe('challenge', () => {
  it('after a wrong code says how many attempts are left, announces it, and keeps the code selected', async () => {
    fakeApi({
      'POST /auth/challenge/ch-1/verify': () => ({
        status: 401,
        body: { error: { code: 'invalid_code', message: 'That code is not right.', attemptsRemaining: 3 } },
      }),
    });
    act(() =>
      render(
        <ChallengePage
          challenge={{ ...challenge, methods: [...challenge.methods] }}
          email="kim@example.com"
          onSignedIn={() => {}}
          onRestart={() => {}}
        />,
        root,
      ),
    );
    const input = root.querySelector('#challenge-code') as HTMLInputElement;
    type(input, '123456');
    await submit();
    const alert = root.querySelector('#challenge-error')!;
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe('That code is not right. 3 attempts left.');
    expect(input.value).toBe('123456');
    expect(document.activeElement).toBe(input);
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, 6]);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain('challenge-error');
  });

  it('a lockout says until when, by the clock, and counts down', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
    fakeApi({
      'POST /auth/challenge/ch-1/verify': () => ({
        status: 429,
        body: { error: { code: 'too_many_attempts', message: 'Locked.', retryAfterSeconds: 899 } },
      }),
    });
    act(() =>
      render(
        <ChallengePage
          challenge={{ ...challenge, methods: [...challenge.methods] }}
          email="kim@example.com"
          onSignedIn={() => {}}
          onRestart={() => {}}
        />,
        root,
      ),
    );
    type(root.querySelector('#challenge-code') as HTMLInputElement, '000000');
    await submit();
    const lockout = root.querySelector('[data-testid=lockout]')!;
    const until = Date.parse('2026-11-23T10:00:00Z') + 899_000;
    expect(lockout.textContent).toContain(`until ${clockTime(until)}`);
    expect(lockout.textContent).toContain('(14:59 left)');
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(lockout.textContent).toContain('(13:59 left)');
  });
});

describe('sign in', () => {
  it('keeps the email it was given and starts in the password field', () => {
    act(() => render(<LoginPage onAnswer={() => {}} email="kim@example.com" notice={{ text: 'That sign-in attempt expired.' }} />, root));
    expect((root.querySelector('#login-email') as HTMLInputElement).value).toBe('kim@example.com');
    expect(document.activeElement?.id).toBe('login-password');
    expect(root.textContent).toContain('That sign-in attempt expired.');
    expect(root.querySelector('a[href="/signup"]')!.textContent).toBe('Create an account');
  });

  it('a locked-out login says until when and counts down', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z'), toFake: ['Date', 'setInterval', 'clearInterval'] });
    fakeApi({
      'POST /auth/login': () => ({
        status: 429,
        body: {
          error: {
            code: 'too_many_attempts',
            message: 'Too many wrong codes. Code entry is locked for a while; try again later.',
            retryAfterSeconds: 600,
          },
        },
      }),
    });
    act(() => render(<LoginPage onAnswer={() => {}} email="kim@example.com" />, root));
    type(root.querySelector('#login-password') as HTMLInputElement, 'pw-pw-pw-pw');
    await submit();
    const locked = root.querySelector('[data-testid=login-locked]')!;
    expect(locked.textContent).toContain(
      `Too many wrong codes. For your security, signing in is paused until ${clockTime(Date.parse('2026-11-23T10:10:00Z'))}`,
    );
    expect(locked.textContent).toContain('(10:00 left)');
    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    expect(locked.textContent).toContain('(9:55 left)');
  });
});
