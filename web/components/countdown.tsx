// Seconds left until a moment, ticking once a second; <Countdown> shows them as "1:05".
import { useEffect, useState } from 'preact/hooks';

export function secondsUntil(untilMs: number, nowMs = Date.now()): number {
  return Math.max(0, Math.ceil((untilMs - nowMs) / 1000));
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Seconds left until `untilMs`, right from the first render (no frame shows a stale 0), then every second. */
export function useSecondsLeft(untilMs: number | null, onDone?: () => void): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (untilMs === null || secondsUntil(untilMs) === 0) return;
    const timer = setInterval(() => {
      setTick((t) => t + 1);
      if (secondsUntil(untilMs) === 0) {
        clearInterval(timer);
        onDone?.();
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [untilMs]);
  return untilMs === null ? 0 : secondsUntil(untilMs);
}

interface Props {
  /** When it ends, in ms since the epoch. */
  until: number;
  onDone?(): void;
  /** Shown once it reaches zero. */
  doneText?: string;
}

export function Countdown({ until, onDone, doneText = '0:00' }: Props) {
  const left = useSecondsLeft(until, onDone);
  return (
    <span class="countdown" data-testid="countdown">
      {left > 0 ? formatClock(left) : doneText}
    </span>
  );
}

/** A moment as the person's clock shows it: "10:42 am" or "10:42". */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** "until 10:42 (14:59 left)": the clock time for everyone, the ticking seconds kept out of screen readers' way. */
export function WaitUntil({ until, onDone }: { until: number; onDone?(): void }) {
  return (
    <span data-testid="wait-until">
      until <strong>{clockTime(until)}</strong>{' '}
      <span aria-hidden="true">
        (<Countdown until={until} onDone={onDone} doneText="0:00" /> left)
      </span>
    </span>
  );
}
