// Addresses taken from the right place, and failures that reveal nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSink } from '../support/log-lines.ts';
import pino from 'pino';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD } from '../support/factories.ts';
import { client } from '../support/http.ts';
import { normaliseIp } from '../../api/http/middleware/client-ip.ts';

describe('client address', () => {
  let plain: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    plain = await startTestApp();
    proxied = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await plain.close();
    await proxied.close();
  });

  it('spoofed X-Forwarded-For without TRUST_PROXY is ignored', async () => {
    // Attack: claim an office address to dodge IP-based rules.
    const f = factories(plain);
    const user = await f.signup();
    const r = await f.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: PASSWORD },
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    const sessions = await f.call('GET', '/api/v1/me/sessions', { token: r.body.session.token });
    expect(sessions.body[0].ip).toBe('127.0.0.1');
  });

  it('with TRUST_PROXY the address our proxy appended (the last X-Forwarded-For entry) is the client; forged earlier entries are ignored', async () => {
    // Attack: prepend a trusted office address to X-Forwarded-For and let the proxy append the real one.
    const f = factories(proxied);
    const user = await f.signup();
    const r = await f.call('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: PASSWORD },
      headers: { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' },
    });
    const sessions = await f.call('GET', '/api/v1/me/sessions', { token: r.body.session.token });
    expect(sessions.body[0].ip).toBe('203.0.113.9');
  });

  it('IPv4-mapped IPv6 is the IPv4 client', () => {
    expect(normaliseIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normaliseIp('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('a 500 never shows internals, and the log holds no secret', () => {
  it('answers internal_error with a plain sentence and logs the cause with a request id', async () => {
    const { stream: sink, lines } = lineSink();
    const app = await startTestApp({ log: pino({ level: 'info' }, sink) });
    const f = factories(app);
    const user = await f.signup();
    const token = await f.login(user);
    try {
      await app.deps.db.schema.renameTable('factors', 'factors_gone');
      const call = client(app.url);
      const r = await call('GET', '/api/v1/me/2fa', { token });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
      const failure = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
      expect(failure.requestId).toBe(r.headers.get('x-request-id'));
      expect(failure.err.message).toMatch(/factors/);
      expect(lines.join('\n')).not.toContain(token);
      expect(lines.join('\n')).not.toContain(PASSWORD);
      await app.deps.db.schema.renameTable('factors_gone', 'factors');
      expect((await call('GET', '/api/v1/me/2fa', { token })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
