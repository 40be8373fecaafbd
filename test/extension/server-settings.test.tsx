// @vitest-environment happy-dom
// The options page's server field: what the person types is never overwritten by the dialer's view arriving late,
// and only the server they submit is sent. `webextension-polyfill` is replaced by a fake `browser` whose worker
// answers when the test says so.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';

const sent: Array<{ type: string; request: unknown }> = [];
let answerView: ((value: unknown) => void) | undefined;

vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      sendMessage: async (envelope: { type: string; request: unknown }) => {
        sent.push(envelope);
        if (envelope.type === 'dialer:view')
          return new Promise((resolve) => {
            answerView = resolve;
          });
        const server = (envelope.request as { server: string }).server;
        return {
          ok: true,
          value: { server, otherServer: null, unreachable: false, signedIn: null, pending: null, clockSkewSeconds: null },
        };
      },
      onMessage: { addListener: () => undefined, removeListener: () => undefined },
    },
    permissions: { contains: async () => true },
  },
}));

const { ServerSettings } = await import('../../extension/lib/options/server-settings.tsx');

let root: HTMLElement;
afterEach(() => {
  act(() => render(null, root));
  root.remove();
  sent.length = 0;
});

const flush = () =>
  act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });

describe('options: the server', () => {
  it('lost input: a view arriving after the person typed does not overwrite the field', async () => {
    root = document.createElement('div');
    document.body.append(root);
    act(() => render(<ServerSettings />, root));
    const input = root.querySelector<HTMLInputElement>('#server')!;
    act(() => {
      input.value = 'http://localhost:4000';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    answerView!({
      ok: true,
      value: {
        server: 'http://localhost:3000',
        otherServer: null,
        unreachable: false,
        signedIn: null,
        pending: null,
        clockSkewSeconds: null,
      },
    });
    await flush();
    expect(root.querySelector('[data-testid="current-server"]')!.textContent).toContain('http://localhost:3000');
    expect(input.value).toBe('http://localhost:4000');
    act(() => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    await flush();
    expect(sent.filter((m) => m.type === 'dialer:set-server')).toEqual([
      { type: 'dialer:set-server', request: { server: 'http://localhost:4000' } },
    ]);
    expect(root.textContent).toContain('The dialer now uses http://localhost:4000.');
  });
});
