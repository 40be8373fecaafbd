// One way to fail: throw an ApiError with a code from the shared catalogue; one middleware renders it
// (http/middleware/render-errors.ts).
import { errorCatalogue, type ErrorCode } from '../shared/errors.ts';

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? errorCatalogue[code].message);
    this.status = errorCatalogue[code].status;
  }
}

/** 429 with both the `Retry-After` header and `retryAfterSeconds` in the body. */
export function tooManyAttempts(retryAfterSeconds: number, message?: string): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ApiError('too_many_attempts', message, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
}
