// The client address: the socket's, unless TRUST_PROXY says a proxy in front of us writes X-Forwarded-For.
import type { Context, Next } from 'koa';

export function clientIp(trustProxy: boolean) {
  return async function readClientIp(ctx: Context, next: Next): Promise<void> {
    const forwarded = trustProxy ? ctx.get('x-forwarded-for').split(',')[0]?.trim() : '';
    ctx.state.ip = normaliseIp(forwarded || ctx.req.socket.remoteAddress || '');
    return next();
  };
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
