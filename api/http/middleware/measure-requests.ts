// Outermost middleware: times every request and counts the sign-in events its answer carries (ops/metrics.ts holds
// the registry). With METRICS_TOKEN and no METRICS_PORT it also answers GET /metrics on this port, to bearers of the
// token only.
import type { Context, Middleware, Next } from 'koa';
import type { Config } from '../../config.ts';
import { answerScrape, type Metrics } from '../../ops/metrics.ts';
import { routeOf } from './request-log.ts';

/** The route template the router matched, as the request log names it: never the raw path. The log names the web
 * app's files by their path; here they share one label, since every path a client sends would be a new series. */
export function routeLabel(ctx: Context): string {
  const route = routeOf(ctx);
  return route.startsWith('/api/') ? route : '(web)';
}

export function measureRequests(metrics: Metrics, config: Config): Middleware {
  const token = config.ops.metricsPort === null ? config.ops.metricsToken : null;
  return async function measure(ctx: Context, next: Next): Promise<void> {
    if (token !== null && ctx.path === '/metrics') {
      const answer = await answerScrape(metrics, token, ctx.method, ctx.get('authorization'));
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
      return;
    }
    const started = performance.now();
    let failed = false;
    metrics.requestStarted();
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      metrics.requestEnded();
      metrics.observeRequest(
        { route: routeLabel(ctx), method: ctx.method, status: failed ? 500 : ctx.status, answer: ctx.body, sent: ctx.state.body },
        (performance.now() - started) / 1000,
      );
    }
  };
}
