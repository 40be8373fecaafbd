// The worker's message boundary: who may ask what, and that a page gets a code only for its own origin.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildOtpauthUri, generateTotp, generateTotpSecret } from '../../shared/totp.ts';
import { createHandlers, describeError } from '../../extension/lib/handlers.ts';
import { createRouter, type SenderInfo } from '../../extension/lib/router.ts';
import { createVault, openVaultDb, type Vault } from '../../extension/lib/vault.ts';
import type { KeyValueStore } from '../../extension/lib/browser-api-worker.ts';
import type { Dialer } from '../../extension/lib/dialer.ts';
import type { SessionSync } from '../../extension/lib/session-sync.ts';

const RUNTIME_ID = 'abcdefghijklmnopabcdefghijklmnop';
const EXTENSION_ORIGIN = `chrome-extension://${RUNTIME_ID}`;
const HOSTS = ['http://127.0.0.1/*', 'http://localhost/*'];
const WEB = 'http://127.0.0.1:3000';
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

const popup: SenderInfo = { id: RUNTIME_ID, origin: EXTENSION_ORIGIN, url: `${EXTENSION_ORIGIN}/extension/entries/popup/index.html` };
const page = (origin: string): SenderInfo => ({ id: RUNTIME_ID, origin, url: `${origin}/login`, tab: { id: 1 }, frameId: 0 });

function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(k: string) => map.get(k) as T | undefined,
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
  };
}

let n = 0;
let vault: Vault;
let session: KeyValueStore;
let shown: string[];
let announced: Array<string | null>;
let noticed: string[];
let logs: Array<{ event: string; detail: Record<string, unknown> }>;
let userAtOrigin: Record<string, string>;
let route: ReturnType<typeof createRouter>;
let secret: string;

beforeEach(async () => {
  session = memoryStore();
  vault = createVault(openVaultDb(`handlers-test-${++n}`), { session, local: memoryStore() });
  logs = [];
  shown = [];
  announced = [];
  noticed = [];
  userAtOrigin = {};
  secret = generateTotpSecret();
  const handlers = createHandlers({
    vault,
    dialer: { listCalls: async () => [] } as unknown as Dialer,
    sync: { view: async () => ({ server: WEB, signedIn: null, pending: null, clockSkewSeconds: null }) } as unknown as SessionSync,
    local: memoryStore(),
    hostPatterns: HOSTS,
    now: () => NOW,
    userAt: async (origin) => userAtOrigin[origin] ?? null,
    noticeServer: async (origin) => void noticed.push(origin),
    announceVault: async (kept) => void announced.push(kept),
    show: async (what) => void shown.push(what),
  });
  route = createRouter({
    handlers,
    runtimeId: RUNTIME_ID,
    extensionOrigin: EXTENSION_ORIGIN,
    hostPatterns: HOSTS,
    describeError,
    log: (event, detail) => logs.push({ event, detail }),
  });
  await vault.keep(
    {
      origin: WEB,
      user: 'alice@example.com',
      uri: buildOtpauthUri({ secretBase32: secret, issuer: 'Twofold', accountName: 'alice@example.com' }),
      now: NOW,
    },
    { withoutPassphrase: true },
  );
});

describe('message boundary', () => {
  it('unknown message types are refused and logged without their contents', async () => {
    for (const type of ['vault:export', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const reply = await route({ type, request: { secret: 'hunter2-secret' } }, popup);
      expect(reply).toEqual({ ok: false, error: { reason: 'refused', message: expect.any(String) } });
    }
    expect(logs.length).toBe(5);
    expect(JSON.stringify(logs)).not.toContain('hunter2');
    expect(logs[0]).toMatchObject({ event: 'message refused', detail: { reason: 'unknown type' } });
  });

  it('malformed messages are refused', async () => {
    for (const message of [null, undefined, 'vault:list', 42, [], { type: 7 }, { request: {} }]) {
      expect(await route(message, popup)).toMatchObject({ ok: false, error: { reason: 'refused' } });
    }
  });

  it('another extension or a web page cannot talk to the worker', async () => {
    const foreign: SenderInfo[] = [
      { ...popup, id: 'otherextensionidotherextensionid' },
      { ...popup, id: undefined },
      {
        id: RUNTIME_ID,
        origin: 'chrome-extension://otherextensionidotherextensionid',
        url: 'chrome-extension://otherextensionidotherextensionid/x.html',
      },
      { id: RUNTIME_ID, origin: 'http://evil.example', url: 'http://evil.example/', tab: { id: 2 } },
    ];
    for (const sender of foreign) {
      expect(await route({ type: 'vault:list', request: {} }, sender)).toMatchObject({ ok: false, error: { reason: 'refused' } });
      expect(await route({ type: 'code:for-page', request: { user: 'alice@example.com' } }, sender)).toMatchObject({
        ok: false,
        error: { reason: 'refused' },
      });
    }
  });

  it("a content script cannot use the extension pages' messages (list, rename, remove, sign in)", async () => {
    for (const type of ['vault:list', 'vault:remove', 'vault:rename', 'auth:login', 'auth:dialer-code', 'dialer:view']) {
      const reply = await route({ type, request: { id: 'x', name: 'y', email: 'a@b.c', password: 'p', fresh: false } }, page(WEB));
      expect(reply).toMatchObject({ ok: false, error: { reason: 'refused' } });
    }
    expect(logs.every((l) => l.detail.reason === 'unexpected sender')).toBe(true);
  });

  it('the popup cannot ask for a page code (content messages come from Twofold tabs only)', async () => {
    expect(await route({ type: 'code:for-page', request: { user: 'alice@example.com' } }, popup)).toMatchObject({
      ok: false,
      error: { reason: 'refused' },
    });
  });

  it('content scripts on other origins are refused: 127.0.0.2, [::1], evil hosts', async () => {
    for (const origin of [
      'http://127.0.0.2:3000',
      'http://[::1]:3000',
      'http://127.0.0.1.evil.example',
      'https://evil.example',
      'file://',
    ]) {
      const reply = await route({ type: 'code:for-page', request: { user: 'alice@example.com' } }, page(origin));
      expect(reply).toMatchObject({ ok: false, error: { reason: 'refused' } });
    }
  });

  it('origin mismatch gets no code: another port, another Twofold host, another user', async () => {
    const ask = async (origin: string, user: string) => route({ type: 'code:for-page', request: { user } }, page(origin));
    expect(await ask('http://127.0.0.1:3001', 'alice@example.com')).toEqual({ ok: true, value: { code: null, locked: false } });
    expect(await ask('http://localhost:3000', 'alice@example.com')).toEqual({ ok: true, value: { code: null, locked: false } });
    expect(await ask(WEB, 'bob@example.com')).toEqual({ ok: true, value: { code: null, locked: false } });
    expect(await ask(WEB, 'Alice@Example.com')).toEqual({ ok: true, value: { code: generateTotp(secret, NOW), locked: false } });
  });

  it('the origin comes from the sender, never the request body', async () => {
    const reply = await route(
      { type: 'code:for-page', request: { user: 'alice@example.com', origin: WEB } },
      page('http://localhost:3000'),
    );
    expect(reply).toEqual({ ok: true, value: { code: null, locked: false } });
  });

  it('no answer ever carries the secret', async () => {
    userAtOrigin[WEB] = 'alice@example.com';
    const uri = buildOtpauthUri({ secretBase32: secret, issuer: 'Twofold', accountName: 'alice@example.com' });
    const replies = [
      await route({ type: 'vault:keep', request: { uri, user: null } }, page(WEB)),
      await route({ type: 'vault:list', request: {} }, popup),
      await route({ type: 'code:for-page', request: { user: 'alice@example.com' } }, page(WEB)),
    ];
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(JSON.stringify(replies)).not.toContain(secret);
  });

  it('keep binds the authenticator to the page origin and the signed-in user, not the one the page names', async () => {
    userAtOrigin['http://localhost:4000'] = 'carol@example.com';
    const other = generateTotpSecret();
    const uri = buildOtpauthUri({ secretBase32: other, issuer: 'Twofold', accountName: 'carol@example.com' });
    expect(await route({ type: 'vault:keep', request: { uri, user: 'alice@example.com' } }, page('http://localhost:4000'))).toMatchObject({
      ok: true,
    });
    expect(await vault.codeFor('http://localhost:4000', 'carol@example.com', NOW)).toBe(generateTotp(other, NOW));
    expect(await vault.codeFor('http://localhost:4000', 'alice@example.com', NOW)).toBeNull();
    expect(await vault.codeFor(WEB, 'alice@example.com', NOW)).toBe(generateTotp(secret, NOW));
  });

  it('hostile otpauth URIs from a page are refused and nothing is kept', async () => {
    const before = await vault.list();
    const reply = await route(
      { type: 'vault:keep', request: { uri: 'otpauth://hotp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DP&counter=0', user: 'alice@example.com' } },
      page('http://localhost:5000'),
    );
    expect(reply).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    expect(await vault.list()).toEqual(before);
  });

  it('requests of the wrong shape are refused as invalid', async () => {
    const bad: Array<[string, unknown, SenderInfo]> = [
      ['code:for-page', { user: 42 }, page(WEB)],
      ['code:for-page', { user: '' }, page(WEB)],
      ['code:for-page', 'alice@example.com', page(WEB)],
      ['vault:keep', { uri: 'x'.repeat(5000), user: null }, page(WEB)],
      ['vault:keep', { uri: 'otpauth://totp/x', user: 'not an email' }, page(WEB)],
      ['vault:show', { what: 'export' }, page(WEB)],
      ['vault:set-idle', { minutes: 0 }, popup],
      ['vault:unlock', { passphrase: '' }, popup],
      ['auth:verify', { method: 'telepathy', code: '123456' }, popup],
      ['calls:place', { accountId: 'a', to: ['+61412345678'] }, popup],
    ];
    for (const [type, request, sender] of bad) {
      expect(await route({ type, request }, sender)).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    }
  });

  it('a Twofold page is noticed (for the popup to offer), and the page sends nothing (the trusted device lives only in its HttpOnly cookie)', async () => {
    expect(await route({ type: 'page:hello', request: {} }, page(WEB))).toEqual({ ok: true, value: {} });
    expect(noticed).toEqual([WEB]);
  });
});

describe('the vault through the message boundary', () => {
  const keepRequest = (withoutPassphrase = false) => ({
    type: 'vault:keep',
    request: {
      uri: buildOtpauthUri({ secretBase32: generateTotpSecret(), issuer: 'Twofold', accountName: 'bob@example.com' }),
      user: 'bob@example.com',
      withoutPassphrase,
    },
  });

  it('a locked vault fills nothing: the page is told it is locked, and gets its code once the popup unlocks it', async () => {
    expect(await route({ type: 'vault:set-passphrase', request: { passphrase: 'short', current: null } }, popup)).toMatchObject({
      ok: false,
      error: { reason: 'invalid_request' },
    });
    expect(
      await route({ type: 'vault:set-passphrase', request: { passphrase: 'four unrelated words', current: null } }, popup),
    ).toMatchObject({ ok: true, value: { protection: 'passphrase', locked: false } });
    expect(await route({ type: 'vault:lock', request: {} }, popup)).toMatchObject({ ok: true, value: { locked: true } });
    const ask = () => route({ type: 'code:for-page', request: { user: 'alice@example.com' } }, page(WEB));
    expect(await ask()).toEqual({ ok: true, value: { code: null, locked: true } });
    expect(await route({ type: 'vault:show', request: { what: 'unlock' } }, page(WEB))).toEqual({ ok: true, value: {} });
    expect(shown).toEqual(['unlock']);
    expect(await route({ type: 'vault:unlock', request: { passphrase: 'wrong words here' } }, popup)).toMatchObject({
      ok: false,
      error: { message: 'That passphrase is not right.' },
    });
    expect(await route({ type: 'vault:unlock', request: { passphrase: 'four unrelated words' } }, popup)).toMatchObject({
      ok: true,
      value: { locked: false },
    });
    expect(await ask()).toEqual({ ok: true, value: { code: generateTotp(secret, NOW), locked: false } });
  }, 30_000);

  it('a page cannot unlock, lock or change the passphrase (extension pages only)', async () => {
    for (const type of ['vault:unlock', 'vault:lock', 'vault:set-passphrase', 'vault:set-idle', 'vault:status']) {
      expect(await route({ type, request: { passphrase: 'four unrelated words', current: null, minutes: 5 } }, page(WEB))).toMatchObject({
        ok: false,
        error: { reason: 'refused' },
      });
    }
  });

  it('the first authenticator waits in memory for the person to choose a passphrase; it is kept once they do', async () => {
    const fresh = createVault(openVaultDb(`handlers-test-${++n}`), { session: memoryStore(), local: memoryStore() });
    const handlers = createHandlers({
      vault: fresh,
      dialer: {} as Dialer,
      sync: {} as SessionSync,
      local: memoryStore(),
      hostPatterns: HOSTS,
      now: () => NOW,
      userAt: async () => 'bob@example.com',
      noticeServer: async () => undefined,
      announceVault: async (kept) => void announced.push(kept),
      show: async () => undefined,
    });
    const freshRoute = createRouter({
      handlers,
      runtimeId: RUNTIME_ID,
      extensionOrigin: EXTENSION_ORIGIN,
      hostPatterns: HOSTS,
      describeError,
      log: () => undefined,
    });
    expect(await freshRoute(keepRequest(), page(WEB))).toEqual({ ok: true, value: { status: 'choose-protection' } });
    expect(await fresh.list()).toEqual([]);
    expect(await freshRoute({ type: 'vault:status', request: {} }, popup)).toMatchObject({
      ok: true,
      value: { protection: 'unset', pendingKeep: 'Twofold (bob@example.com)' },
    });
    expect(
      await freshRoute({ type: 'vault:set-passphrase', request: { passphrase: 'four unrelated words', current: null } }, popup),
    ).toMatchObject({ ok: true, value: { protection: 'passphrase', count: 1, pendingKeep: null } });
    expect(announced).toEqual(['Twofold (bob@example.com)']);
  }, 30_000);

  it('"Keep without" makes a vault with no passphrase and keeps at once', async () => {
    const fresh = createVault(openVaultDb(`handlers-test-${++n}`), { session: memoryStore(), local: memoryStore() });
    const handlers = createHandlers({
      vault: fresh,
      dialer: {} as Dialer,
      sync: {} as SessionSync,
      local: memoryStore(),
      hostPatterns: HOSTS,
      now: () => NOW,
      userAt: async () => 'bob@example.com',
      noticeServer: async () => undefined,
      announceVault: async () => undefined,
      show: async () => undefined,
    });
    const freshRoute = createRouter({
      handlers,
      runtimeId: RUNTIME_ID,
      extensionOrigin: EXTENSION_ORIGIN,
      hostPatterns: HOSTS,
      describeError,
      log: () => undefined,
    });
    expect(await freshRoute(keepRequest(true), page(WEB))).toEqual({
      ok: true,
      value: { status: 'kept', name: 'Twofold (bob@example.com)' },
    });
    expect(await fresh.status(NOW)).toMatchObject({ protection: 'none', locked: false, count: 1 });
  });
});
