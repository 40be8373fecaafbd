// Headers on every answer: no sniffing, no framing; for the web app's pages a strict CSP, no referrer and their own
// browsing context group; for API answers (JSON, never a page) a CSP that allows nothing and no caching, the set
// OWASP's REST security cheat sheet gives. On https answers HSTS, so a browser that has seen Twofold over https never
// tries plain http again (a network attacker could otherwise strip TLS from the first request).
import type { Context, Next } from 'koa';

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy': PAGE_CSP,
};
/** A JSON answer opened as a page may load nothing and be framed by nobody; a page's referrer and opener policies
 * have nothing to act on in it (no links, no subresources, no window of its own). */
export const API_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};
/** One year. No `includeSubDomains`: Twofold cannot know whether its deployer's sibling hosts all speak https. */
const HSTS = 'max-age=31536000';

export function securityHeaders() {
  return function setSecurityHeaders(ctx: Context, next: Next): Promise<void> {
    ctx.set(ctx.path.startsWith('/api/') ? API_HEADERS : PAGE_HEADERS);
    // ctx.secure: TLS on the socket, or (TRUST_PROXY) the last X-Forwarded-Proto entry (forwarded.ts).
    if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
    return next();
  };
}
