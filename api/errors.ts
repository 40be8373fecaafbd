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
    const { status } = errorCatalogue[code];
    // A 4xx is the client's answer, never logged, so it is made without a stack: capturing one behind a request's
    // async frames cost about 5% of each wrong code refused in a flood (bench/README.md). A 5xx keeps its stack for
    // the log (render-errors.ts). super stays a root-level statement: the parameter properties are assigned right
    // after it, and a super inside a try block compiled to a class that threw.
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(message ?? errorCatalogue[code].message);
    Error.stackTraceLimit = limit;
    this.status = status;
  }
}

/** 429 with both the `Retry-After` header and `retryAfterSeconds` in the body. */
export function tooManyAttempts(retryAfterSeconds: number, message?: string): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ApiError('too_many_attempts', message, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
}
