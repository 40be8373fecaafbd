// Headers on every answer: no sniffing, no framing, no referrer leaks; a strict CSP for the web app's pages; and on
// https answers HSTS, so a browser that has seen Twofold over https never tries plain http again (a network
// attacker could otherwise strip TLS from the first request).
import type { Context, Next } from 'koa';

const CSP = [
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
/** One year. No `includeSubDomains`: Twofold cannot know whether its deployer's sibling hosts all speak https. */
const HSTS = 'max-age=31536000';

export function securityHeaders() {
  return async function setSecurityHeaders(ctx: Context, next: Next): Promise<void> {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Content-Security-Policy': CSP,
    });
    // ctx.secure: TLS on the socket, or (TRUST_PROXY) the last X-Forwarded-Proto entry (forwarded.ts).
    if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
    if (ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
    return next();
  };
}
