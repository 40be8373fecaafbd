// The API's routes on one @koa/router per first path segment after the prefix (`session`, `auth`, `me`,
// `accounts`…), and one lookup in front that hands a request to its segment's router only.
// Why: @koa/router tests a request against every route it holds, and calls its debug logger for each, whose
// arguments are gathered into an array even while the logger is off. Across the API's 59 routes that was about 14 KB
// of garbage and 5% of the CPU of every session check (bench/README.md, 2026-12-04 night). Behind the lookup a
// session check meets one route, a code check the dozen under `auth`.
// Each router answers its own OPTIONS and 405 (now with `Allow`); a trailing slash is still allowed, and a path no
// route holds falls through to the next layer (an API path then gets render-errors.ts's 404).
// Matching is case-sensitive, as the contract's paths are: the layers before the routes tell an API request by its
// lowercase `/api/` (API headers with `no-store`, the contract's 404), so `/API/V1/session` must not be the API.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { ApiError } from '../errors.ts';

export interface RoutersBySegment {
  /** The router a route of this path (after the prefix) goes on. */
  routerFor(path: string): Router;
  /** The layer that dispatches; call once every route is on its router. */
  middleware(): Middleware;
}

export function routersBySegment(prefix: string): RoutersBySegment {
  const routers = new Map<string, Router>();
  return {
    routerFor(path) {
      const segment = /^\/([^/:*?(){}]+)(?:\/|$)/.exec(path)?.[1];
      // A route whose first segment is a parameter would need every request to try it: not supported.
      if (!segment) throw new Error(`route ${path}: its first path segment must be literal`);
      const router = routers.get(segment) ?? new Router({ prefix, sensitive: true });
      routers.set(segment, router);
      return router;
    },
    middleware() {
      const dispatch = new Map<string, Middleware>();
      for (const [segment, router] of routers) {
        // Typed for a context the router has already met; this layer hands them Koa's own, as app.use would.
        const routes = router.routes() as unknown as Middleware;
        const allowedMethods = router.allowedMethods() as unknown as Middleware;
        // Runs only when none of the segment's routes took the request. A method a path does not have (405), or
        // one no route has (501), is the contract's 405 with the `Allow` header RFC 9110 asks of it, which the router
        // sets only when it does not throw.
        const miss: Middleware = async (ctx, next) => {
          await allowedMethods(ctx, next);
          if (ctx.status === 405 || ctx.status === 501) {
            throw new ApiError('method_not_allowed', undefined, {}, { Allow: ctx.response.get('Allow') });
          }
        };
        dispatch.set(segment, (ctx, next) => routes(ctx, () => miss(ctx, next)));
      }
      const start = prefix.length + 1;
      return (ctx, next) => {
        const { path } = ctx;
        if (!path.startsWith(prefix) || path.length <= start || path[start - 1] !== '/') return next();
        const end = path.indexOf('/', start);
        const handle = dispatch.get(path.slice(start, end === -1 ? undefined : end));
        return handle ? handle(ctx, next) : next();
      };
    },
  };
}
