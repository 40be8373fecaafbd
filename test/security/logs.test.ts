// Logs: bearer tokens that sit in paths (challenge ids) never reach the request log, and every request but a
// successful read is logged at info with the status the client really got, so brute force shows up; at debug, every
// request is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSink } from '../support/log-lines.ts';
import pino from 'pino';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLogger } from '../../api/deps.ts';
import { factories, PASSWORD } from '../support/factories.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
const { stream: sink, lines } = lineSink();
beforeAll(async () => {
  app = await startTestApp({ log: pino({ level: 'info' }, sink) });
  f = factories(app);
});
afterAll(() => app.close());

const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const lineOf = (requestId: string | null) => logged().find((l) => l.msg === 'request' && l.requestId === requestId);

describe('the request log', () => {
  it('challenge ids in the request log: the line names the route template, never the raw path', async () => {
    // Attack: read a setup_required challenge id from the logs and use it as a bearer token for the enrolment calls.
    const user = await f.signup();
    await app.deps.db('accounts').where({ id: user.accountId }).update({ enforce: 'all', enforce_tightened_at: app.clock.now() });
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    const challengeId: string = login.body.challengeId;
    expect(challengeId).toBeTruthy();
    const verify = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'recovery_code', code: 'ABCDE-FGHJK-LMNPQ' },
    });
    const send = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, { body: { method: 'sms' } });
    const unrouted = await f.call('GET', `/api/v1/auth/challenge/${challengeId}/nothing-here`);
    expect(lineOf(verify.headers.get('x-request-id'))).toMatchObject({
      method: 'POST',
      route: '/api/v1/auth/challenge/:challengeId/verify',
      status: 401,
    });
    expect(lineOf(send.headers.get('x-request-id'))).toMatchObject({
      route: '/api/v1/auth/challenge/:challengeId/send',
      status: send.status,
    });
    expect(lineOf(unrouted.headers.get('x-request-id'))).toMatchObject({ route: '/api/(no route)', status: 404 });
    expect(lines.join('\n')).not.toContain(challengeId);
    expect(lines.join('\n')).not.toContain(encodeURIComponent(challengeId));
    // And the id still works for what it is for: the log gave nothing away by being wrong.
    expect((await f.call('POST', '/api/v1/me/2fa/totp', { token: challengeId })).status).toBe(200);
  });

  it('brute force invisible in logs: each error is logged with the status the client got, not 404', async () => {
    // Attack: guess codes and passwords, counting on the logs to show nothing but 404s.
    const user = await f.userWithTotp();
    const { challengeId } = await f.startChallenge(user);
    const answers = [
      await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'not the password' } }),
      await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'totp', code: '000000' } }),
      await f.call('POST', '/api/v1/auth/login', { raw: '{not json', headers: { 'content-type': 'application/json' } }),
      await f.call('GET', '/api/v1/me/2fa'),
      await f.call('GET', '/api/v1/no/such/route'),
      await f.call('PUT', '/api/v1/health'),
      await f.call('GET', '/api/v1/health'),
    ];
    for (let i = 0; i < 5; i++)
      answers.push(await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, { body: { method: 'totp', code: '000000' } }));
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 7)).toEqual([401, 401, 400, 401, 404, 405, 200]);
    expect(statuses.at(-1)).toBe(429);
    // Every refusal, the failed reads among them, is at info; the one successful read is not (it is at debug).
    for (const answer of answers.filter((a) => a.status !== 200))
      expect(lineOf(answer.headers.get('x-request-id'))).toMatchObject({ status: answer.status, level: 30 });
    expect(lineOf(answers[6]!.headers.get('x-request-id'))).toBeUndefined();
  });

  it('a successful write is logged at info, a successful read only at debug', async () => {
    const user = await f.signup();
    const login = await f.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    const token = login.body.session.token as string;
    const read = await f.call('GET', '/api/v1/session', { token });
    expect([login.status, read.status]).toEqual([200, 200]);
    expect(lineOf(login.headers.get('x-request-id'))).toMatchObject({
      method: 'POST',
      route: '/api/v1/auth/login',
      status: 200,
      level: 30,
    });
    expect(lineOf(read.headers.get('x-request-id'))).toBeUndefined();
  });

  it('a 500 is logged with its route and status 500, never the raw path', async () => {
    const user = await f.signup();
    const token = await f.login(user);
    await app.deps.db.schema.renameTable('factors', 'factors_gone');
    const r = await f.call('GET', '/api/v1/me/2fa', { token });
    await app.deps.db.schema.renameTable('factors_gone', 'factors');
    expect(r.status).toBe(500);
    const failure = logged().find((l) => l.msg === 'request failed' && l.requestId === r.headers.get('x-request-id'));
    expect(failure).toMatchObject({ route: '/api/v1/me/2fa' });
    expect(failure).not.toHaveProperty('path');
    expect(lineOf(r.headers.get('x-request-id'))).toMatchObject({ route: '/api/v1/me/2fa', status: 500 });
  });
});

describe('the logger Twofold makes (createLogger)', () => {
  it('removes secrets from every line, and request lines, which skip that check, still carry only their five fields', async () => {
    // The request log skips redaction for speed (request-log.ts); this keeps both halves honest: the redaction still
    // acts on the lines that go through it, and a request line holds nothing but its own flat fields.
    const { stream, lines: own } = lineSink();
    const log = createLogger('info', stream);
    const real = await startTestApp({ log });
    try {
      const g = factories(real);
      const user = await g.signup();
      const login = await g.call('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
      log.info({ body: { password: PASSWORD, code: '123456' }, headers: { authorization: 'Bearer abc', cookie: 'tf=abc' } }, 'careless');
      const parsed = own.map((l) => JSON.parse(l) as Record<string, unknown>);
      const line = parsed.find((l) => l.msg === 'request' && l.requestId === login.headers.get('x-request-id'));
      expect(line).toMatchObject({ method: 'POST', route: '/api/v1/auth/login', status: login.status, level: 30 });
      expect(Object.keys(line!).sort()).toEqual([
        'hostname',
        'level',
        'method',
        'ms',
        'msg',
        'pid',
        'requestId',
        'route',
        'status',
        'time',
      ]);
      expect(parsed.find((l) => l.msg === 'careless')).toMatchObject({ body: {}, headers: {} });
      expect(own.join('\n')).not.toContain(PASSWORD);
      expect(own.join('\n')).not.toContain('123456');
      expect(own.join('\n')).not.toContain('Bearer abc');
    } finally {
      await real.close();
    }
  });
});

describe('the request log at LOG_LEVEL=debug', () => {
  it('logs every request, successful reads too, those at debug', async () => {
    const { stream, lines: own } = lineSink();
    const verbose = await startTestApp({ log: createLogger('debug', stream) });
    try {
      const g = factories(verbose);
      const user = await g.signup();
      const token = await g.login(user);
      const answers = [
        await g.call('GET', '/api/v1/session', { token }),
        await g.call('GET', '/api/v1/health'),
        await g.call('GET', '/api/v1/me/2fa'),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 401]);
      const parsed = own.map((l) => JSON.parse(l) as Record<string, unknown>);
      const line = (answer: (typeof answers)[number]) =>
        parsed.find((l) => l.msg === 'request' && l.requestId === answer.headers.get('x-request-id'));
      expect(line(answers[0]!)).toMatchObject({ route: '/api/v1/session', status: 200, level: 20 });
      expect(line(answers[1]!)).toMatchObject({ route: '/api/v1/health', status: 200, level: 20 });
      expect(line(answers[2]!)).toMatchObject({ route: '/api/v1/me/2fa', status: 401, level: 30 });
    } finally {
      await verbose.close();
    }
  });
});
