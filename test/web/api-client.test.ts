import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, describeError, onApiError } from '../../web/api-client.ts';

afterEach(() => vi.unstubAllGlobals());

function answer(status: number, body: unknown) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('api client', () => {
  it('sends JSON with X-Twofold-Client: web to /api/v1', async () => {
    const fetch = answer(200, { ok: true });
    expect(await api('POST', '/auth/login', { body: { email: 'a@b.c' } })).toEqual({ ok: true });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/auth/login');
    expect(init.headers).toMatchObject({ 'X-Twofold-Client': 'web', 'Content-Type': 'application/json' });
    expect(init.body).toBe('{"email":"a@b.c"}');
  });

  it('turns an error body into an ApiError, and a 429 into the time to wait', async () => {
    answer(429, { error: { code: 'too_many_attempts', message: 'Too many attempts.', retryAfterSeconds: 840 } });
    const error = await api('POST', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('too_many_attempts');
    expect(describeError(error)).toBe('Too many attempts. Try again in 14 minutes.');
  });

  it('never shows a raw server page', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>Internal Server Error</html>', { status: 500 })),
    );
    const error = await api('GET', '/x').catch((e: unknown) => e);
    expect(describeError(error)).toBe('Something went wrong on our side. Please try again.');
    expect((error as ApiError).unreachable).toBe(false);
  });

  it('tells "cannot reach Twofold" (no answer, or a gateway page) apart from an answer, and tells the listeners', async () => {
    const heard: ApiError[] = [];
    const stop = onApiError((e) => heard.push(e));
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const offline = (await api('GET', '/session').catch((e: unknown) => e)) as ApiError;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>Bad Gateway</html>', { status: 502 })),
    );
    const gateway = (await api('GET', '/session').catch((e: unknown) => e)) as ApiError;
    stop();
    expect([offline.unreachable, gateway.unreachable]).toEqual([true, true]);
    expect(describeError(offline)).toBe('We could not reach Twofold. Check your connection and try again.');
    expect(heard).toEqual([offline, gateway]);
  });

  it('reads why a session ended from a 401', async () => {
    answer(401, { error: { code: 'unauthenticated', message: 'Please sign in.', reason: '2fa_reset' } });
    const error = (await api('GET', '/session').catch((e: unknown) => e)) as ApiError;
    expect(error.reason).toBe('2fa_reset');
    answer(401, { error: { code: 'unauthenticated', message: 'Please sign in.' } });
    expect(((await api('GET', '/session').catch((e: unknown) => e)) as ApiError).reason).toBeNull();
  });

  it('says nothing about an action the person cancelled', () => {
    expect(describeError(new ApiError(403, 'reauth_required', 'Cancelled.', { cancelled: true }))).toBe('');
  });
});
