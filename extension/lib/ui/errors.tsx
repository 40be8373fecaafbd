// A sentence for the person in front of the popup, from a failed message.
import { MessageFailure } from '../browser-api.ts';

export function describeFailure(error: unknown): string {
  if (error instanceof MessageFailure) {
    const { apiCode, retryAfterSeconds, message } = error.error;
    if (apiCode === 'too_many_attempts' && retryAfterSeconds !== undefined) {
      return `Too many attempts. Try again in ${retryAfterSeconds < 60 ? `${retryAfterSeconds} s` : `${Math.ceil(retryAfterSeconds / 60)} min`}.`;
    }
    if (apiCode === 'invalid_code') return 'That code is not right. Check it and try again.';
    return message;
  }
  return 'Something went wrong. Please try again.';
}

export function apiCodeOf(error: unknown): string | undefined {
  return error instanceof MessageFailure ? error.error.apiCode : undefined;
}

export function ClockWarning({ skewSeconds }: { skewSeconds: number | null }) {
  if (skewSeconds === null || Math.abs(skewSeconds) <= 30) return null;
  return (
    <p class="alert alert--warning" role="alert" data-testid="clock-warning">
      This computer’s clock is {Math.abs(skewSeconds)} seconds {skewSeconds > 0 ? 'behind' : 'ahead of'} Twofold’s. Codes may be refused:
      set the clock to update automatically.
    </p>
  );
}

/** A failure, announced; nothing when there is none. */
export function ErrorAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p class="alert alert--error" role="alert">
      {message}
    </p>
  );
}
