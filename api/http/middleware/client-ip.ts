// The client address: the socket's, unless TRUST_PROXY says a proxy in front of us writes X-Forwarded-For.
// Proxies append the address they saw, so the last entry is the one our proxy wrote; the entries before it
// come from the client and may be forged (taking the first would let anyone pose as an office address).
import type { Context, Next } from 'koa';
import { lastForwarded } from './forwarded.ts';

export function clientIp(trustProxy: boolean) {
  return function readClientIp(ctx: Context, next: Next): Promise<void> {
    const forwarded = trustProxy ? lastForwarded(ctx.get('x-forwarded-for')) : '';
    ctx.state.ip = normaliseIp(forwarded || ctx.req.socket.remoteAddress || '');
    return next();
  };
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
