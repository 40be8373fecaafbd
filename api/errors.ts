// One way to fail: throw an ApiError with a code from the shared catalogue; one middleware renders it.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { errorCatalogue, type ErrorCode } from '../shared/errors.ts';
import { routeOf } from './http/middleware/request-log.ts';

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

export function errorMiddleware(log: Logger) {
  return async function renderErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) throw new ApiError('not_found');
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) {
        log.error({ err: describe(err), requestId: ctx.state.requestId, route: routeOf(ctx) }, 'request failed');
      }
      ctx.status = apiError.status;
      ctx.set(apiError.headers);
      ctx.body = { error: { code: apiError.code, message: apiError.message, ...apiError.details } };
    }
  };
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // Koa's own HTTP errors (router 405, body limits) carry an exposed status.
  const status = (err as { status?: number; expose?: boolean })?.status;
  if (status === 405) return new ApiError('method_not_allowed');
  if (status === 413) return new ApiError('payload_too_large');
  if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) return new ApiError('invalid_request');
  return new ApiError('internal_error');
}

/** What goes to the log for a 500: type, message and stack, never request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { type: typeof err };
}
