// One log line per request with a request id: method, route, status and time. No bodies, no headers, no query.
// A successful read (GET or HEAD answered below 400) is logged at debug, every other request at info: at the default
// level the log holds every change, every failure and every refusal (what shows brute force), and not the session
// checks the web app and the dialer make, thousands a second under load, at about 10 µs of CPU a line
// (bench/README.md, "2026-12-06, later"). Those lines would name a route and a 200, no more: the request metrics count
// them by route, and the one read that reveals a secret (backup codes) is in the audit log. LOG_LEVEL=debug logs
// every request.
// The route is the router's template (`/api/v1/auth/challenge/:challengeId/verify`), never the raw path: challenge
// ids are bearer tokens of the enrolment calls, and whoever reads the logs must not be able to use them. The
// status is the one the client got: this middleware runs outside the error renderer (app.ts).
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

export function requestLog(log: Logger) {
  // Without the logger's redaction: its paths (`*.password` and the like) name a key one level down, and this line
  // holds five flat values Twofold makes itself, so they can never match; checking them was half of the line's cost
  // (4 µs of 8 in a loop, 11 µs a check in the server; bench/README.md, "2026-12-06, later"). Every other line keeps it.
  const lines = log.child({}, { redact: [] });
  const logsReads = lines.isLevelEnabled('debug');
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    ctx.state.requestId = randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      const read = (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.status < 400;
      if (!read || logsReads) {
        const line = {
          requestId: ctx.state.requestId,
          method: ctx.method,
          route: routeOf(ctx),
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        };
        if (read) lines.debug(line, 'request');
        else lines.info(line, 'request');
      }
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
