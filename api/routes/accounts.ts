// Account administration and the dialer's calls (being written).
import type { Deps } from '../deps.ts';
import type { Route } from '../http.ts';

export function accountRoutes(_deps: Deps): Route[] {
  return [];
}
