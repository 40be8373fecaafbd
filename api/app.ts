// createApp(deps): the layers of LAYERS, outermost first: metrics and the request log (outside the error renderer,
// so they record the status the client gets), error rendering, headers, the client address, the browser-origin
// check, body parsing, the NUL check, the routes, and the built web app. Never listens.
import Koa, { type Middleware } from 'koa';
import { send } from '@koa/send';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Deps } from './deps.ts';
import { API_PREFIX } from '../shared/contract.ts';
import { errorMiddleware } from './http/middleware/render-errors.ts';
import { mountRoutes, openApiDocument, type Route } from './http/route.ts';
import { routersBySegment } from './http/routers-by-segment.ts';
import { clientIp } from './http/middleware/client-ip.ts';
import { jsonBody } from './http/middleware/body.ts';
import { requestLog } from './http/middleware/request-log.ts';
import { securityHeaders } from './http/middleware/security-headers.ts';
import { readProtocolFromLastForwarded } from './http/middleware/forwarded.ts';
import { refuseCrossOriginWrites } from './http/middleware/browser-origin.ts';
import { refuseNul } from './http/middleware/refuse-nul.ts';
import { createGuards } from './http/middleware/guards.ts';
import { authRoutes } from './http/routes/auth.ts';
import { meRoutes } from './http/routes/me.ts';
import { memberRoutes } from './http/routes/members.ts';
import { policyRoutes } from './http/routes/policy.ts';
import { apiKeyRoutes } from './http/routes/api-keys.ts';
import { auditRoutes } from './http/routes/audit.ts';
import { callRoutes } from './http/routes/calls.ts';
import { systemRoutes } from './http/routes/system.ts';
import { webauthnRoutes } from './http/routes/webauthn.ts';
import { multiAccountRule } from './policy/policy.ts';
import { measureRequests } from './http/middleware/measure-requests.ts';

export interface AppOptions {
  /** Folder of the built web app; served at `/` when it exists. */
  webRoot?: string;
  version?: string;
  /** Layers to leave out, by name: only bench/servers/layers.ts does, to measure what each costs a session check. */
  leaveOut?: readonly Layer[];
}

/** The layers every request passes, outermost first (createApp). */
export const LAYERS = [
  'metrics',
  'request log',
  'errors',
  'security headers',
  'client address',
  'browser origin',
  'json body',
  'nul check',
  'routes',
  'web app',
] as const;
export type Layer = (typeof LAYERS)[number];

export function allRoutes(deps: Deps): Route[] {
  return [
    ...systemRoutes(deps),
    ...authRoutes(deps),
    ...meRoutes(deps),
    ...webauthnRoutes(deps),
    ...memberRoutes(deps),
    ...policyRoutes(deps),
    ...apiKeyRoutes(deps),
    ...auditRoutes(deps),
    ...callRoutes(deps),
  ];
}

export function createApp(deps: Deps, options: AppOptions = {}): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  readProtocolFromLastForwarded(app);
  const routes = allRoutes(deps);
  // Made on first ask (converting every schema takes a good part of the start-up), then the same object.
  let document: unknown;
  const api = routersBySegment(API_PREFIX);
  api.routerFor('/openapi.json').get('/openapi.json', (ctx) => {
    document ??= openApiDocument(routes, { version: options.version ?? '1', description: multiAccountRule });
    ctx.body = document;
  });
  mountRoutes(api.routerFor, routes, createGuards(deps));

  const layers: Record<Layer, () => void> = {
    metrics: () => app.use(measureRequests(deps.metrics, deps.config)), // outermost: it sees the status the client gets
    'request log': () => app.use(requestLog(deps.log)),
    errors: () => app.use(errorMiddleware(deps.log)),
    'security headers': () => app.use(securityHeaders()),
    'client address': () => app.use(clientIp(deps.config.trustProxy)),
    'browser origin': () => app.use(refuseCrossOriginWrites(deps.config.publicUrl)),
    'json body': () => app.use(jsonBody()),
    'nul check': () => app.use(refuseNul()),
    routes: () => app.use(api.middleware()),
    'web app': () => app.use(serveWebApp(resolve(options.webRoot ?? 'dist/web'))),
  };
  for (const layer of LAYERS) if (!options.leaveOut?.includes(layer)) layers[layer]();
  return app;
}

/** The built web app: hashed assets are immutable; every other path is the single-page app. */
function serveWebApp(webRoot: string): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/api/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD') || !existsSync(webRoot)) return next();
    const asset = ctx.path.startsWith('/assets/') && existsSync(resolve(webRoot, `.${ctx.path}`));
    if (asset) ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    else ctx.set('Cache-Control', 'no-cache');
    await send(ctx, asset ? ctx.path : '/index.html', { root: webRoot });
  };
}
