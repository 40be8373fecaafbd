// Routes are declared once, as data: the same declaration mounts the handler (with its guards and the schemas of its
// path parameters, query and body) and describes it in the OpenAPI document, so the document cannot drift from the
// code.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Role } from '../../shared/schemas.ts';
import { API_PREFIX, SESSION_COOKIE } from '../../shared/contract.ts';
import { ApiError } from '../errors.ts';
import type { AppState } from './state.ts';
import { AccountParams, accountPath } from './params.ts';

/** Who may call a route: nobody in particular; a signed-in user with 2FA in order (`session`) or even one who must
 * set it up first (`signedIn`); anyone, with the session read when there is one (`optionalSession`, same rules as
 * `session` when signed in); an enrolling user (session or setup_required challenge id); or a member of the
 * account in the path (session, or an API key where `apiKey` is set). */
export type Access = 'public' | 'session' | 'signedIn' | 'optionalSession' | 'enrolment' | 'account';

/** A request's path parameters or query: an object of string schemas (the router and the query string give strings;
 * a repeated query key gives an array of them, which a string schema refuses). */
export type Fields = z.ZodObject;
// biome-ignore lint/complexity/noBannedTypes: zod's own type for an object schema with no keys
type NoFields = z.ZodObject<{}>;

/** What a handler receives: each part parsed by its route's schema (a route without a body gets `undefined`). */
export interface RouteInput<B extends z.ZodType, P extends Fields, Q extends Fields> {
  body: z.output<B>;
  params: z.output<P>;
  query: z.output<Q>;
}

/** A route's declaration, without its handler: what mounting it and describing it in OpenAPI read. */
interface Declaration<B extends z.ZodType, P extends Fields, Q extends Fields> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Koa path, relative to /api/v1, e.g. `/auth/challenge/:challengeId/verify`; each `:name` is a key of `params`. */
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
  /** The path parameters: required whenever the path has a `:name`. */
  params?: P;
  /** The query values the route reads; others are ignored, like unknown body fields. */
  query?: Q;
  response?: z.ZodType;
  /** The status of a success (200 when not given): set before the handler runs, which may still answer another. */
  status?: number;
}

export interface RouteSpec<B extends z.ZodType, P extends Fields, Q extends Fields> extends Declaration<B, P, Q> {
  handler: (ctx: AppContext, input: RouteInput<B, P, Q>) => Promise<void>;
}

/** A route as stored beside the others: its schemas' types live on only inside `handle`. */
export interface Route extends Declaration<z.ZodType, Fields, Fields> {
  /** Parses the path parameters, the query and the body (in that order, after the guards) and runs the handler. */
  handle: (ctx: AppContext) => Promise<void>;
}

export type AppContext = Context & { state: AppState };

export function route<B extends z.ZodType = z.ZodUndefined, P extends Fields = NoFields, Q extends Fields = NoFields>(
  spec: RouteSpec<B, P, Q>,
): Route {
  assertParamsMatchPath(spec.method, spec.path, spec.params);
  const { handler, ...declaration } = spec;
  return {
    ...declaration,
    // Parsed here, where each schema's type is known, so the handler gets what its schemas promise. A part without
    // a schema is its type parameter's default: no fields (an empty object, what an empty z.object() answers for any
    // object, without running zod on every request), or no body.
    handle: (ctx) => {
      const input = {
        params: (spec.params ? parseInput(spec.params, routerParams(ctx), 'path') : {}) as z.output<P>,
        query: (spec.query ? parseInput(spec.query, ctx.query, 'query') : {}) as z.output<Q>,
        body: (spec.body ? parseInput(spec.body, ctx.state.body, 'body') : undefined) as z.output<B>,
      };
      if (spec.status) ctx.status = spec.status;
      return handler(ctx, input);
    },
  };
}

/** A route of the account in its path: `path` is relative to `/accounts/:accountId`, callers are its members (the
 * guards check the membership; `role` and `apiKey` narrow or widen that), `params` is AccountParams unless a longer
 * path extends it, and the OpenAPI tag is `accounts` unless given. */
export function accountRoute<B extends z.ZodType = z.ZodUndefined, P extends Fields = typeof AccountParams, Q extends Fields = NoFields>(
  spec: Omit<RouteSpec<B, P, Q>, 'access' | 'tag'> & { tag?: string },
): Route {
  return route<B, P, Q>({
    ...spec,
    path: accountPath + spec.path,
    tag: spec.tag ?? 'accounts',
    access: 'account',
    params: spec.params ?? (AccountParams as Fields as P),
  });
}

/** The path parameters @koa/router found (decoded strings), before any schema has seen them. */
export function routerParams(ctx: Context): unknown {
  return (ctx as Context & { params?: unknown }).params ?? {};
}

/** Every `:name` of the path has a schema in `params`, and every schema a `:name` (one without would always be
 * missing): a route cannot reach its handler with a parameter nobody checked. */
function assertParamsMatchPath(method: string, path: string, params: Fields | undefined): void {
  const inPath = pathParameterNames(path);
  const declared = Object.keys(params?.shape ?? {});
  const undeclared = inPath.filter((name) => !declared.includes(name));
  const absent = declared.filter((name) => !inPath.includes(name));
  if (undeclared.length || absent.length) {
    throw new Error(
      `${method.toUpperCase()} ${path}: ${[
        undeclared.length ? `params has no schema for ${undeclared.join(', ')}` : '',
        absent.length ? `the path has no :${absent.join(', :')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    );
  }
}

/** The `:name` parameters of a Koa path, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

export interface Guards {
  access: Record<Access, Middleware>;
  role: (role: Role) => Middleware;
  reauth: Middleware;
  reauthIf2faOn: Middleware;
  apiKey: Middleware;
}

export function mountRoutes(routerFor: (path: string) => Router, routes: Route[], guards: Guards): void {
  for (const r of routes) {
    const chain: Middleware[] = [];
    // Who is calling comes first (an anonymous caller learns 401 whatever the address), then the request's parts.
    chain.push(r.access === 'account' && r.apiKey ? guards.apiKey : guards.access[r.access]);
    if (r.role) chain.push(guards.role(r.role));
    if (r.reauth === 'if2faOn') chain.push(guards.reauthIf2faOn);
    else if (r.reauth) chain.push(guards.reauth);
    chain.push((ctx) => r.handle(ctx as AppContext));
    routerFor(r.path)[r.method](r.path, ...(chain as Parameters<Router['get']>[1][]));
  }
}

/** Parses one part of a request; a mismatch is `400 invalid_request` naming the first field, with every issue.
 * Path parameters and query values also say where they were (`in`), as the OpenAPI document does. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'path' | 'query'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    const where = part === 'body' ? {} : { in: part };
    throw new ApiError('invalid_request', first ? `${first.path || part}: ${first.message}` : undefined, { issues, ...where });
  }
  return parsed.data;
}

/** OpenAPI parameter objects for a route's path parameters or query, each with its own schema and description. */
function parametersOf(fields: Fields | undefined, where: 'path' | 'query') {
  if (!fields) return [];
  const json = z.toJSONSchema(fields, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    description,
    schema,
  }));
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

export function openApiDocument(routes: Route[], info: { version: string; description: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = API_PREFIX + r.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query')];
    const notes = [
      r.reauth === 'if2faOn'
        ? 'When two-factor authentication is already on (adding or replacing a method), needs re-authentication within 10 minutes (`403 reauth_required`); a first method, or one enrolled through a `setup_required` challenge, needs none.'
        : r.reauth
          ? 'Needs re-authentication within 10 minutes (`403 reauth_required`).'
          : '',
      r.role ? `Role in the account: ${r.role} or higher.` : '',
      r.apiKey ? "An account API key may call it, from the account's `apiAllowedRanges` only." : '',
    ]
      .filter(Boolean)
      .join(' ');
    paths[path] ??= {};
    paths[path][r.method] = {
      tags: [r.tag],
      summary: r.summary,
      description: [r.description, notes].filter(Boolean).join('\n\n') || undefined,
      security: r.access === 'public' ? [] : [...(r.access === 'optionalSession' ? [{}] : []), { bearer: [] }, { cookie: [] }],
      parameters: parameters.length ? parameters : undefined,
      requestBody: r.body
        ? { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } }
        : undefined,
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
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token, an account API key, or (enrolment calls only) a setup_required challengeId',
        },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            "The web app's HttpOnly session cookie. A POST, PUT, PATCH or DELETE authenticated by it is refused with `403 forbidden` unless its `Origin` is PUBLIC_URL's origin or `Sec-Fetch-Site` is `same-origin` (cross-site request forgery); every non-empty body must be `application/json`. Bearer calls are not affected: the extension's dialer sends the shared session as a bearer token, so no extension origin is allowed for cookies.",
        },
      },
    },
    paths,
  };
}
