// One log line per request with a request id: method, route, status and time. No bodies, no headers, no query.
// The route is the router's template (`/api/v1/auth/challenge/:challengeId/verify`), never the raw path: challenge
// ids are bearer tokens of the enrolment calls, and whoever reads the logs must not be able to use them. The
// status is the one the client got: this middleware runs outside the error renderer (app.ts).
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

export function requestLog(log: Logger) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    ctx.state.requestId = randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      log.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          route: routeOf(ctx),
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    }
  };
}

/** The matched route's template; for an API path no route matched, a placeholder (the path may hold a token);
 * for the web app's files, the path (fragments, where email links carry their tokens, never reach a server). */
export function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  if (typeof matched === 'string') return matched;
  return ctx.path.startsWith('/api/') ? '/api/(no route)' : ctx.path;
}
