// JSON bodies only, 100 KB at most; anything else is a clear 400/413 before a handler runs.
import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from '../../errors.ts';

const LIMIT_BYTES = 100 * 1024;

export function jsonBody() {
  return function parseJsonBody(ctx: Context, next: Next): Promise<void> {
    ctx.state.body = {};
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return next();
    return readJsonBody(ctx).then(() => next());
  };
}

/** Reads the request's body into `ctx.state.body`, or throws the contract's 400 or 413. */
async function readJsonBody(ctx: Context): Promise<void> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > LIMIT_BYTES) throw new ApiError('payload_too_large');
  let raw: string;
  try {
    raw = await getRawBody(ctx.req, { limit: LIMIT_BYTES, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new ApiError('payload_too_large');
    throw new ApiError('invalid_request', 'The request body could not be read.');
  }
  if (raw.trim() === '') return;
  if (!ctx.is('application/json')) throw new ApiError('invalid_request', 'Send JSON with Content-Type: application/json.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object.');
  }
  ctx.state.body = parsed;
}
