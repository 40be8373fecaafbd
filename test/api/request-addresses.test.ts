// Path parameters and query values go through their routes' schemas like bodies do: after the guards, a malformed
// one is 400 invalid_request in the contract's shape (saying which value, and where) and reaches no handler; a
// well-formed one that names nothing is still 404. The OpenAPI document describes both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';
import { allRoutes } from '../../api/app.ts';
import { pathParameterNames } from '../../api/http/route.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

const tooLongId = 'a'.repeat(37); // ids are UUIDs, in columns of 36 characters

describe('malformed path parameters and query values', () => {
  it('are 400 invalid_request naming the value and where it was, and change nothing', async () => {
    const owner = await f.ownerWithTotp();
    await f.reauth(owner.token);
    const a = f.base(owner.accountId);
    const tables = [
      'sessions',
      'trusted_devices',
      'memberships',
      'invitations',
      'api_keys',
      'audit_events',
      'webauthn_credentials',
      'calls',
    ];
    const count = async () =>
      Object.fromEntries(
        await Promise.all(tables.map(async (t) => [t, Number((await app.deps.db(t).count({ n: '*' }).first())!.n)] as const)),
      );
    const before = await count();
    const cases: [string, string, 'path' | 'query', string, unknown?][] = [
      ['DELETE', `/api/v1/me/sessions/${tooLongId}`, 'path', 'id'],
      ['DELETE', `/api/v1/me/devices/${tooLongId}`, 'path', 'id'],
      ['DELETE', '/api/v1/me/2fa/password', 'path', 'method'],
      ['PUT', `/api/v1/me/2fa/webauthn/${'A'.repeat(1401)}`, 'path', 'credentialId', { name: 'Key' }],
      ['DELETE', `/api/v1/me/2fa/webauthn/${'A'.repeat(1401)}`, 'path', 'credentialId'],
      ['POST', `/api/v1/auth/challenge/${'A'.repeat(101)}/verify`, 'path', 'challengeId', { method: 'totp', code: '123456' }],
      ['POST', `/api/v1/auth/challenge/${'A'.repeat(101)}/send`, 'path', 'challengeId', { method: 'email' }],
      ['POST', `/api/v1/auth/challenge/${'A'.repeat(101)}/webauthn-options`, 'path', 'challengeId'],
      ['GET', `/api/v1/accounts/${tooLongId}/members`, 'path', 'accountId'],
      ['POST', `/api/v1/accounts/${tooLongId}/calls`, 'path', 'accountId', { to: '+61412345678' }],
      ['PUT', `${a}/members/${tooLongId}`, 'path', 'userId', { require2fa: true }],
      ['DELETE', `${a}/members/${tooLongId}`, 'path', 'userId'],
      ['POST', `${a}/members/${tooLongId}/2fa/reset`, 'path', 'userId'],
      ['POST', `${a}/members/${tooLongId}/recovery-code`, 'path', 'userId'],
      ['DELETE', `${a}/invitations/${tooLongId}`, 'path', 'invitationId'],
      ['POST', `${a}/invitations/${tooLongId}/resend`, 'path', 'invitationId'],
      ['DELETE', `${a}/api-keys/${tooLongId}`, 'path', 'id'],
      ['GET', `${a}/audit-events?cursor=0`, 'query', 'cursor'],
      ['GET', `${a}/audit-events?cursor=abc`, 'query', 'cursor'],
      ['GET', `${a}/audit-events?cursor=12345678901234567`, 'query', 'cursor'],
      ['GET', `${a}/audit-events?cursor=1&cursor=2`, 'query', 'cursor'],
      ['GET', `${a}/audit-events?type=${'x'.repeat(61)}`, 'query', 'type'],
      ['GET', `${a}/audit-events?type=login.&type=policy.`, 'query', 'type'],
      ['GET', `${a}/audit-events?userId=${tooLongId}`, 'query', 'userId'],
    ];
    for (const [method, path, where, name, body] of cases) {
      const r = await f.call(method, path, { token: owner.token, body });
      const label = `${method} ${path.slice(0, 120)}`;
      expect(r.status, label).toBe(400);
      expect(r.body.error, label).toMatchObject({ code: 'invalid_request', in: where, issues: [expect.objectContaining({ path: name })] });
      expect(r.body.error.message, label).toMatch(new RegExp(`^${name}: `));
    }
    expect(await count()).toEqual(before);
  });

  it('who is calling comes first: an anonymous caller gets 401 whatever the address', async () => {
    const anonymous = await f.call('GET', `/api/v1/accounts/${tooLongId}/audit-events?cursor=abc`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
    const owner = await f.ownerWithTotp();
    const signedIn = await f.call('GET', `/api/v1/accounts/${tooLongId}/audit-events`, { token: owner.token });
    expect(signedIn.status).toBe(400);
    expect(signedIn.body.error).toMatchObject({ code: 'invalid_request', in: 'path', message: expect.stringMatching(/^accountId: /) });
  });

  it('well-formed ids that name nothing are still 404, and unknown query keys are ignored', async () => {
    const owner = await f.ownerWithTotp();
    const a = f.base(owner.accountId);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const path of [
      `/api/v1/me/sessions/${unknownId}`,
      `/api/v1/me/devices/${unknownId}`,
      `${a}/api-keys/${unknownId}`,
      `${a}/members/${unknownId}`,
    ]) {
      const r = await f.call('DELETE', path, { token: owner.token });
      expect(r.status, path).toBe(404);
      expect(r.body.error.code, path).toBe('not_found');
    }
    const page = await f.call('GET', `${a}/audit-events?type=&userId=&page=2`, { token: owner.token });
    expect(page.status).toBe(200);
    expect(page.body.events.length).toBeGreaterThan(0);
  });
});

describe('the OpenAPI document', () => {
  it("lists every path parameter with its schema, and the audit log's query values", async () => {
    const doc = (await f.call('GET', '/api/v1/openapi.json')).body;
    for (const r of allRoutes(app.deps)) {
      const path = `/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`;
      const parameters: { name: string; in: string; required: boolean; schema: { type: string } }[] =
        doc.paths[path][r.method].parameters ?? [];
      const inPath = parameters.filter((p) => p.in === 'path');
      expect(inPath.map((p) => p.name).sort(), path).toEqual(pathParameterNames(r.path).sort());
      for (const p of inPath) expect(p, `${path} ${p.name}`).toMatchObject({ required: true, schema: { type: 'string' } });
    }
    const members = doc.paths['/api/v1/accounts/{accountId}/members/{userId}'].put.parameters;
    expect(members).toEqual([
      expect.objectContaining({ name: 'accountId', in: 'path', schema: expect.objectContaining({ maxLength: 36 }) }),
      expect.objectContaining({ name: 'userId', in: 'path', description: expect.stringContaining('userId') }),
    ]);
    expect(doc.paths['/api/v1/me/2fa/{method}'].delete.parameters[0].schema.enum).toEqual(['totp', 'sms', 'email', 'webauthn']);
    const audit = doc.paths['/api/v1/accounts/{accountId}/audit-events'].get.parameters;
    expect(audit.filter((p: { in: string }) => p.in === 'query')).toEqual([
      expect.objectContaining({
        name: 'cursor',
        required: false,
        schema: expect.objectContaining({ type: 'string', pattern: '^[1-9][0-9]{0,15}$' }),
      }),
      expect.objectContaining({ name: 'type', required: false, schema: expect.objectContaining({ maxLength: 60 }) }),
      expect.objectContaining({ name: 'userId', required: false, schema: expect.objectContaining({ maxLength: 36 }) }),
    ]);
  });
});
