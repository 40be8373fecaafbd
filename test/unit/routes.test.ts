// Routes as data: every path parameter has a schema (so no handler reads one nobody checked), and route() refuses a
// declaration where the path and its params schema disagree.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allRoutes } from '../../api/app.ts';
import type { Deps } from '../../api/deps.ts';
import { pathParameterNames, route } from '../../api/http/route.ts';

// Declarations only: the route factories keep deps for their handlers, none of which runs here.
const routes = allRoutes({} as Deps);

describe('route declarations', () => {
  it('every :name in a path has a schema in params, and every params schema a :name', () => {
    const mismatched = routes
      .map((r) => ({
        route: `${r.method.toUpperCase()} ${r.path}`,
        inPath: pathParameterNames(r.path).sort(),
        declared: Object.keys(r.params?.shape ?? {}).sort(),
      }))
      .filter((r) => r.inPath.join() !== r.declared.join());
    expect(mismatched).toEqual([]);
    expect(routes.filter((r) => pathParameterNames(r.path).length > 0).length).toBeGreaterThan(20);
  });

  it('every account route names its account in the path (the guards read accountId from its params)', () => {
    expect(routes.filter((r) => r.access === 'account' && !pathParameterNames(r.path).includes('accountId')).map((r) => r.path)).toEqual(
      [],
    );
  });

  it('route() refuses a path parameter without a schema, and a schema without a path parameter', () => {
    const declare = (path: string, params?: z.ZodObject) => () =>
      route({ method: 'get', path, params, tag: 't', summary: 's', access: 'public', handler: async () => {} });
    expect(declare('/things/:thingId')).toThrow(/GET \/things\/:thingId: params has no schema for thingId/);
    expect(declare('/things/:thingId', z.object({ id: z.string() }))).toThrow(/params has no schema for thingId; the path has no :id/);
    expect(declare('/things', z.object({ id: z.string() }))).toThrow(/the path has no :id/);
    expect(declare('/things/:thingId', z.object({ thingId: z.string() }))).not.toThrow();
  });
});
