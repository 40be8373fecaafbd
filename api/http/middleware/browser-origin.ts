// Requests from browsers (api.md v1.1): a browser attaches the session cookie to requests that other sites make
// (SameSite=Lax still lets a sibling origin on the same site, such as another port of the host, send it), so a
// state-changing request authenticated by the cookie must show that it comes from the web app: its Origin is
// PUBLIC_URL's origin, or the browser says Sec-Fetch-Site: same-origin. Anything else is 403 forbidden.
//
// Bearer-token calls are not affected: a page cannot make another origin's browser send an Authorization header
// (that needs a CORS preflight, which the API never grants). The extension's dialer is such a caller: its worker
// sends the shared session as a bearer token with `credentials: 'omit'`, so no extension origin is allowed here.
// Non-empty bodies must be application/json (body.ts): no HTML form can send that cross-origin.
import type { Context, Next } from 'koa';
import { ApiError } from '../../errors.ts';
import { SESSION_COOKIE } from '../../../shared/contract.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The same test guards.ts applies: a well-formed bearer header means the cookie is not what authenticates. */
const BEARER = /^Bearer\s+(\S+)$/i;

export function refuseCrossOriginWrites(publicUrl: string) {
  const allowedOrigin = new URL(publicUrl).origin;
  return function checkBrowserOrigin(ctx: Context, next: Next): Promise<void> {
    if (!STATE_CHANGING.has(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    if (BEARER.test(ctx.get('authorization')) || !ctx.cookies.get(SESSION_COOKIE)) return next();
    if (ctx.get('origin') === allowedOrigin || ctx.get('sec-fetch-site') === 'same-origin') return next();
    throw new ApiError('forbidden', 'This request must come from the Twofold web app (its Origin is not allowed).');
  };
}
