// The API's routes are dispatched by their first path segment, so a route must name it literally.
import { describe, expect, it } from 'vitest';
import { routersBySegment } from '../../api/http/routers-by-segment.ts';

describe('routersBySegment', () => {
  it('puts routes of one first segment on one router; another case is another segment', () => {
    const api = routersBySegment('/api/v1');
    expect(api.routerFor('/auth/login')).toBe(api.routerFor('/auth/challenge/:id/verify'));
    expect(api.routerFor('/AUTH/login')).not.toBe(api.routerFor('/auth/login'));
    expect(api.routerFor('/auth')).toBe(api.routerFor('/auth/login'));
    expect(api.routerFor('/me')).not.toBe(api.routerFor('/auth/login'));
  });

  it.each(['/:accountId/members', '/', '', 'auth/login', '/(.*)', '/*rest'])(
    'refuses a route %j, whose first segment is not literal',
    (path) => {
      expect(() => routersBySegment('/api/v1').routerFor(path)).toThrow(/first path segment/);
    },
  );
});
