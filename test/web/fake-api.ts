// A stand-in for fetch in component tests: routes "METHOD /path" to answers and records every call.
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}
type Handler = (body: unknown) => { status?: number; body?: unknown };

export function fakeApi(routes: Record<string, Handler>) {
  const calls: Recorded[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      const path = url.replace(/^\/api\/v1/, '').replace(/\?.*$/, '');
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, path: url.replace(/^\/api\/v1/, ''), body, headers: (init.headers ?? {}) as Record<string, string> });
      const handler = routes[`${method} ${path}`];
      const answer = handler ? handler(body) : { status: 404, body: { error: { code: 'not_found', message: 'Not found.' } } };
      const status = answer.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  return calls;
}

export async function settle(rounds = 6): Promise<void> {
  const { act } = await import('preact/test-utils');
  for (let i = 0; i < rounds; i++)
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
}

export function buttonNamed(root: ParentNode, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
  if (!found) throw new Error(`no button named ${name}`);
  return found;
}
