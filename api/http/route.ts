// Routes are declared once, as data: the same declaration mounts the handler (with its guards and body
// validation) and describes it in the OpenAPI document, so the document cannot drift from the code.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Role } from '../../shared/schemas.ts';
import { API_PREFIX, SESSION_COOKIE } from '../../shared/contract.ts';
import { ApiError } from '../errors.ts';
import type { AppState } from './state.ts';

/** Who may call a route: nobody in particular; a signed-in user with 2FA in order (`session`) or even one who must
 * set it up first (`signedIn`); anyone, with the session read when there is one (`optionalSession`, same rules as
 * `session` when signed in); an enrolling user (session or setup_required challenge id); or a member of the
 * account in the path (session, or an API key where `apiKey` is set). */
export type Access = 'public' | 'session' | 'signedIn' | 'optionalSession' | 'enrolment' | 'account';

export interface Route<B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Koa path, relative to /api/v1, e.g. `/auth/challenge/:challengeId/verify`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Minimum role in the account of the path (access 'account'). */
  role?: Role;
  /** Needs a fresh proof of identity (POST /auth/reauth) within 10 minutes; `if2faOn`: only when the user already
   * has a method (adding or replacing one), never through a setup_required challenge. */
  reauth?: boolean | 'if2faOn';
  /** An account API key may call it too (never for security settings). */
  apiKey?: boolean;
  body?: B;
  response?: z.ZodType;
  status?: number;
  handler: (ctx: AppContext, body: z.infer<B>) => Promise<void>;
}

export type AppContext = Context & { state: AppState };

export function route<B extends z.ZodType>(r: Route<B>): Route {
  return r as unknown as Route;
}

export interface Guards {
  access: Record<Access, Middleware>;
  role: (role: Role) => Middleware;
  reauth: Middleware;
  reauthIf2faOn: Middleware;
  apiKey: Middleware;
}

export function mountRoutes(router: Router, routes: Route[], guards: Guards): void {
  for (const r of routes) {
    const chain: Middleware[] = [];
    chain.push(r.access === 'account' && r.apiKey ? guards.apiKey : guards.access[r.access]);
    if (r.role) chain.push(guards.role(r.role));
    if (r.reauth === 'if2faOn') chain.push(guards.reauthIf2faOn);
    else if (r.reauth) chain.push(guards.reauth);
    chain.push(async (ctx) => {
      const body = r.body ? parseBody(r.body, (ctx.state as AppState).body) : undefined;
      await r.handler(ctx as AppContext, body);
    });
    router[r.method](r.path, ...(chain as Parameters<Router['get']>[1][]));
  }
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    throw new ApiError('invalid_request', first ? `${first.path || 'body'}: ${first.message}` : undefined, { issues });
  }
  return parsed.data;
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
};

export function openApiDocument(routes: Route[], info: { version: string; description: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = API_PREFIX + r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const notes = [
      r.reauth === 'if2faOn' ? 'When two-factor authentication is already on (adding or replacing a method), needs re-authentication within 10 minutes (`403 reauth_required`); a first method, or one enrolled through a `setup_required` challenge, needs none.'
        : r.reauth ? 'Needs re-authentication within 10 minutes (`403 reauth_required`).' : '',
      r.role ? `Role in the account: ${r.role} or higher.` : '',
      r.apiKey ? 'An account API key may call it, from the account\'s `apiAllowedRanges` only.' : '',
    ].filter(Boolean).join(' ');
    (paths[path] ??= {})[r.method] = {
      tags: [r.tag],
      summary: r.summary,
      description: [r.description, notes].filter(Boolean).join('\n\n') || undefined,
      security: r.access === 'public' ? [] : [...(r.access === 'optionalSession' ? [{}] : []), { bearer: [] }, { cookie: [] }],
      parameters: parameters.length ? parameters : undefined,
      requestBody: r.body ? { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } } : undefined,
      responses: {
        [String(r.status ?? 200)]: r.response
          ? { description: 'Success', content: { 'application/json': { schema: z.toJSONSchema(r.response, { unrepresentable: 'any' }) } } }
          : { description: 'Success' },
        default: { description: 'An error from the catalogue', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Twofold API', version: info.version, description: info.description },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A session token, an account API key, or (enrolment calls only) a setup_required challengeId' },
        cookie: {
          type: 'apiKey', in: 'cookie', name: SESSION_COOKIE,
          description: 'The web app\'s HttpOnly session cookie. A POST, PUT, PATCH or DELETE authenticated by it is refused with `403 forbidden` unless its `Origin` is PUBLIC_URL\'s origin or `Sec-Fetch-Site` is `same-origin` (cross-site request forgery); every non-empty body must be `application/json`. Bearer calls are not affected: the extension\'s dialer sends the shared session as a bearer token, so no extension origin is allowed for cookies.',
        },
      },
    },
    paths,
  };
}
