// NUL characters: PostgreSQL cannot store U+0000 in text, and no field of the API has a use for it. Refuse it in
// every string of the JSON body (keys too), in the path (so in every path parameter) and in the query, with 400
// invalid_request, before any handler or guard sees the value.
import type { Context, Next } from 'koa';
import { ApiError } from '../../errors.ts';

const NUL = '\u0000';

export function refuseNul() {
  return function refuseNulCharacters(ctx: Context, next: Next): Promise<void> {
    if (!ctx.path.startsWith('/api/')) return next();
    // %00 is the only escape that decodes to NUL, in the path (router parameters) and the query alike.
    if (/%00/.test(ctx.url) || ctx.url.includes(NUL)) {
      throw new ApiError('invalid_request', 'The address may not contain NUL characters (%00).');
    }
    const field = findNul(ctx.state.body, '');
    if (field !== null) throw new ApiError('invalid_request', `${field || 'body'}: may not contain NUL characters.`, { field });
    return next();
  };
}

/** The path of the first string (or key) holding a NUL, or null. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes(NUL)) return path || 'body';
    const found = findNul(item, here);
    if (found !== null) return found;
  }
  return null;
}
