// Renders every failure in the contract's shape: an ApiError as it is, Koa's own HTTP errors mapped to the
// catalogue, anything else as a 500 whose details go to the log (type, message, stack, route), never to the client.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { ApiError } from '../../errors.ts';
import { routeOf } from './request-log.ts';

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
  // Koa's own HTTP errors (body limits) carry an exposed status.
  const status = (err as { status?: number; expose?: boolean })?.status;
  if (status === 413) return new ApiError('payload_too_large');
  if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) return new ApiError('invalid_request');
  return new ApiError('internal_error');
}

/** What goes to the log for a 500: type, message and stack, never request data. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { type: typeof err };
}
