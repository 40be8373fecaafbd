// X-Forwarded-For and X-Forwarded-Proto, read the same way when TRUST_PROXY is on: a proxy appends what it saw,
// so the last entry is the one our proxy wrote; earlier entries come from the client and may be forged.
import type Koa from 'koa';
import type { TLSSocket } from 'node:tls';

/** The last entry of a comma-separated X-Forwarded-* header, trimmed ('' when absent). */
export function lastForwarded(value: string): string {
  return value.split(',').at(-1)?.trim() ?? '';
}

/** Koa's `ctx.protocol` (and so `ctx.secure`, Secure cookies and HSTS) reads X-Forwarded-Proto's *first* entry
 * when `app.proxy` is on, a value the client chooses. Read the last one instead, as for the client address. */
export function readProtocolFromLastForwarded(app: Koa): void {
  Object.defineProperty(app.request, 'protocol', {
    configurable: true,
    get(this: Koa.Request): string {
      if ((this.socket as TLSSocket).encrypted) return 'https';
      if (!this.app.proxy) return 'http';
      return lastForwarded(this.get('X-Forwarded-Proto')).toLowerCase() === 'https' ? 'https' : 'http';
    },
  });
}
