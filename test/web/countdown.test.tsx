// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { Countdown, formatClock, secondsUntil } from '../../web/components/countdown.tsx';
import { ResendButton } from '../../web/components/resend-button.tsx';

let root: HTMLElement;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z') });
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  vi.useRealTimers();
});

describe('countdown', () => {
  it('formats seconds as a clock', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3600 + 61)).toBe('1:01:01');
    expect(secondsUntil(10_500, 10_000)).toBe(1);
    expect(secondsUntil(5_000, 10_000)).toBe(0);
  });

  it('ticks down every second and calls onDone at zero', () => {
    const done = vi.fn();
    act(() => render(<Countdown until={Date.now() + 3000} onDone={done} doneText="now" />, root));
    expect(root.textContent).toBe('0:03');
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(root.textContent).toBe('0:02');
    expect(done).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(root.textContent).toBe('now');
    expect(done).toHaveBeenCalledOnce();
  });

  it('holds the resend button back until the cooldown ends', () => {
    const send = vi.fn();
    act(() => render(<ResendButton availableAt={Date.now() + 30_000} onSend={send} />, root));
    const button = root.querySelector('button')!;
    expect(button.disabled).toBe(true);
    expect(root.textContent).toContain('You can ask for another in 0:30');
    act(() => {
      vi.advanceTimersByTime(30_000);
    });
    expect(button.disabled).toBe(false);
    act(() => button.click());
    expect(send).toHaveBeenCalledOnce();
  });
});
