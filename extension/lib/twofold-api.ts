// The worker's HTTP client for the Twofold API: bearer token, `X-Twofold-Client: dialer`, no ambient cookies
// (the worker passes the shared session explicitly), and the server's `Date` header for the clock-skew warning.
import { API_PREFIX, CLIENT_HEADER, type Client } from '../../shared/contract.ts';
import { parseAnswerBody } from '../../shared/answer-body.ts';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ApiClient {
  request<T>(server: string, method: string, path: string, options?: { token?: string | null; body?: unknown }): Promise<T>;
}

export interface ApiClientDeps {
  fetch: typeof fetch;
  now(): number;
  /** Called with (server time - local time) in ms whenever an answer carries a Date header. */
  recordSkew(skewMs: number): void;
}

export function createApiClient(deps: ApiClientDeps): ApiClient {
  return {
    async request<T>(server: string, method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<T> {
      const headers: Record<string, string> = { Accept: 'application/json', [CLIENT_HEADER]: 'dialer' satisfies Client };
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['Content-Type'] = 'application/json';
      const sentAt = deps.now();
      let response: Response;
      try {
        response = await deps.fetch(`${server}${API_PREFIX}${path}`, {
          method,
          headers,
          credentials: 'omit',
          cache: 'no-store',
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
      } catch {
        throw new ApiCallError(0, 'network_error', 'We could not reach Twofold. Check the server address and your connection.');
      }
      const date = response.headers.get('date');
      if (date && !Number.isNaN(Date.parse(date))) {
        // The header has 1-second resolution; compare with the middle of the round trip.
        deps.recordSkew(Date.parse(date) + 500 - (sentAt + deps.now()) / 2);
      }
      const body = parseAnswerBody(await response.text());
      if (response.ok) return body as T;
      const error = (body as { error?: { code?: unknown; message?: unknown; retryAfterSeconds?: unknown } } | null)?.error;
      throw new ApiCallError(
        response.status,
        typeof error?.code === 'string' ? error.code : 'internal_error',
        typeof error?.message === 'string' ? error.message : 'Something went wrong on the server. Please try again.',
        typeof error?.retryAfterSeconds === 'number' ? error.retryAfterSeconds : undefined,
      );
    },
  };
}
