// "Send a new code", held back while the API's resend cooldown runs, with the time left shown.
import { useSecondsLeft, formatClock } from './countdown.tsx';

interface Props {
  /** When a new code may be asked for, in ms since the epoch; null before the first send. */
  availableAt: number | null;
  onSend(): void;
  busy?: boolean;
  label?: string;
}

export function ResendButton({ availableAt, onSend, busy, label = 'Send a new code' }: Props) {
  const left = useSecondsLeft(availableAt);
  const waiting = left > 0;
  return (
    <div class="resend">
      <button
        type="button"
        class="button button--secondary button--small"
        disabled={busy || waiting}
        onClick={onSend}
        aria-describedby="resend-wait"
      >
        {label}
      </button>
      <span id="resend-wait" class="hint resend__wait" aria-live="polite">
        {waiting ? `You can ask for another in ${formatClock(left)}` : '\u00a0'}
      </span>
    </div>
  );
}
