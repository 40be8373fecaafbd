// The dialer's calls, account API keys with their IP rules, and the audit log's pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { accountFactories } from '../support/accounts.ts';

let app: TestApp;
let f: ReturnType<typeof accountFactories>;
beforeAll(async () => {
  app = await startTestApp();
  f = accountFactories(app);
});
afterAll(() => app.close());

describe('calls', () => {
  it('any member places calls in E.164; the account lists them newest first; other accounts see none', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    const calls = `${f.base(owner.accountId)}/calls`;
    for (const to of ['0412345678', '+61 412 345 678', '+999', 'call me', '']) {
      const bad = await f.call('POST', calls, { token: member.token, body: { to } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'to' });
    }
    expect((await f.call('POST', calls, { token: member.token, body: { to: 12345 } })).status).toBe(400);
    const first = await f.call('POST', calls, { token: member.token, body: { to: '+61412345678' } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      to: '+61412345678',
      status: 'queued',
      createdAt: new Date(app.clock.now()).toISOString(),
    });
    app.clock.advance(1000);
    const second = await f.call('POST', calls, { token: owner.token, body: { to: '+14155550123' } });
    expect(second.status).toBe(201);
    const list = await f.call('GET', calls, { token: member.token });
    expect(list.body.map((c: any) => c.id)).toEqual([second.body.id, first.body.id]);
    const other = await f.ownerWithTotp();
    expect((await f.call('GET', `${f.base(other.accountId)}/calls`, { token: other.token })).body).toEqual([]);
    expect((await f.call('GET', calls, { token: other.token })).status).toBe(404);
  });
});

describe('API keys', () => {
  async function ownerWithKey() {
    const owner = await f.ownerWithTotp();
    const r = await f.call('POST', `${f.base(owner.accountId)}/api-keys`, { token: owner.token, body: { name: 'CRM' } });
    expect(r.status).toBe(201);
    return { owner, id: r.body.id as string, key: r.body.key as string };
  }
  const setRanges = (owner: { token: string; accountId: string }, apiAllowedRanges: string[]) =>
    f.call('PUT', `${f.base(owner.accountId)}/security/ip-rules`, { token: owner.token, body: { apiAllowedRanges } });

  it('is shown once, stored as a hash, listed without the key; creating needs reauth', async () => {
    const { owner, id, key } = await ownerWithKey();
    const list = await f.call('GET', `${f.base(owner.accountId)}/api-keys`, { token: owner.token });
    expect(list.body).toEqual([{ id, name: 'CRM', createdAt: expect.any(String), lastUsedAt: null }]);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const row = await app.deps.db('api_keys').where({ id }).first();
    expect(JSON.stringify(row)).not.toContain(key);
    const audit = await f.call('GET', `${f.base(owner.accountId)}/audit-events`, { token: owner.token });
    expect(JSON.stringify(audit.body)).not.toContain(key);
    app.clock.advance(11 * 60_000);
    const stale = await f.call('POST', `${f.base(owner.accountId)}/api-keys`, { token: owner.token, body: { name: 'Later' } });
    expect(stale.body.error.code).toBe('reauth_required');
  });

  // Attack: a leaked API key used from anywhere.
  it('works only from the allowed ranges (IPv4, IPv4-mapped IPv6); 403 ip_not_allowed otherwise, audited', async () => {
    const { owner, key } = await ownerWithKey();
    const calls = `${f.base(owner.accountId)}/calls`;
    const refused = await f.call('POST', calls, { token: key, body: { to: '+61412345678' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ip_not_allowed');
    expect((await setRanges(owner, ['10.0.0.0/8', '2001:db8::/32'])).status).toBe(200);
    expect((await f.call('GET', calls, { token: key })).body.error.code).toBe('ip_not_allowed');
    // Attack: a spoofed X-Forwarded-For without TRUST_PROXY.
    expect((await f.call('GET', calls, { token: key, headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(403);
    expect((await setRanges(owner, ['127.0.0.1/32'])).body).toEqual({ apiAllowedRanges: ['127.0.0.1/32'] });
    const placed = await f.call('POST', calls, { token: key, body: { to: '+61412345678' } });
    expect(placed.status).toBe(201);
    expect((await f.call('GET', calls, { token: key })).body[0].id).toBe(placed.body.id);
    expect((await setRanges(owner, ['::ffff:127.0.0.0/104'])).status).toBe(200);
    expect((await f.call('GET', calls, { token: key })).status).toBe(200);
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=api_key.refused_address`, { token: owner.token });
    expect(events.body.events.length).toBeGreaterThanOrEqual(3);
    expect((await f.call('GET', `${f.base(owner.accountId)}/api-keys`, { token: owner.token })).body[0].lastUsedAt).not.toBeNull();
  });

  // Attack: an API key used on security settings, the user routes or another account.
  it('never works on security endpoints, user routes, or another account; deleted keys stop at once', async () => {
    const { owner, id, key } = await ownerWithKey();
    await setRanges(owner, ['127.0.0.0/8']);
    const other = await f.ownerWithTotp();
    for (const [method, path, body] of [
      ['GET', `${f.base(owner.accountId)}/security/2fa-policy`],
      ['PUT', `${f.base(owner.accountId)}/security/2fa-policy`, { enforce: 'off' }],
      ['PUT', `${f.base(owner.accountId)}/security/ip-rules`, { apiAllowedRanges: ['0.0.0.0/0'] }],
      ['GET', `${f.base(owner.accountId)}/members`],
      ['POST', `${f.base(owner.accountId)}/api-keys`, { name: 'more' }],
      ['GET', `${f.base(owner.accountId)}/audit-events`],
      ['GET', '/api/v1/me/2fa'],
      ['GET', '/api/v1/session'],
      ['GET', `${f.base(other.accountId)}/calls`],
    ] as [string, string, unknown?][]) {
      const r = await f.call(method, path, { token: key, body });
      expect([path, r.status]).toEqual([path, 401]);
    }
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: key })).status).toBe(200);
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/api-keys/${id}`, { token: owner.token })).status).toBe(204);
    expect((await f.call('GET', `${f.base(owner.accountId)}/calls`, { token: key })).status).toBe(401);
    expect((await f.call('DELETE', `${f.base(owner.accountId)}/api-keys/${id}`, { token: owner.token })).status).toBe(404);
  });

  it('IP rules: owners with reauth change them, admins read them, changes are audited', async () => {
    const owner = await f.ownerWithTotp();
    const admin = await f.addMember(owner.token, owner.accountId, 'admin');
    expect((await setRanges({ token: admin.token, accountId: owner.accountId }, ['10.0.0.0/8'])).status).toBe(403);
    expect((await setRanges(owner, ['10.0.0.1/8', '10.0.0.0/8'])).body).toEqual({ apiAllowedRanges: ['10.0.0.0/8'] });
    expect((await f.call('GET', `${f.base(owner.accountId)}/security/ip-rules`, { token: admin.token })).body).toEqual({
      apiAllowedRanges: ['10.0.0.0/8'],
    });
    const events = await f.call('GET', `${f.base(owner.accountId)}/audit-events?type=ip_rules.changed`, { token: admin.token });
    expect(events.body.events[0]).toMatchObject({ actorUserId: owner.id, detail: { apiAllowedRanges: ['10.0.0.0/8'] } });
    app.clock.advance(11 * 60_000);
    expect((await setRanges(owner, [])).body.error.code).toBe('reauth_required');
  });
});

describe('audit log', () => {
  it('pages 50 at a time, newest first, with a cursor; filters by type and user', async () => {
    const owner = await f.ownerWithTotp();
    const member = await f.addMember(owner.token, owner.accountId, 'member');
    for (let i = 0; i < 60; i++) {
      await f.call('PUT', `${f.base(owner.accountId)}/members/${member.id}`, { token: owner.token, body: { require2fa: i % 2 === 0 } });
    }
    const path = `${f.base(owner.accountId)}/audit-events`;
    const first = await f.call('GET', path, { token: owner.token });
    expect(first.body.events).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await f.call('GET', `${path}?cursor=${first.body.nextCursor}`, { token: owner.token });
    const all = [...first.body.events, ...second.body.events];
    expect(second.body.nextCursor).toBeNull();
    expect(new Set(all.map((e: any) => e.id)).size).toBe(all.length);
    const ids = all.map((e: any) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.filter((e: any) => e.type === 'member.require_2fa_changed')).toHaveLength(60);
    expect(all[0]).toMatchObject({ actorUserId: owner.id, subjectUserId: member.id, ip: '127.0.0.1', at: expect.any(String) });
    const byType = await f.call('GET', `${path}?type=invitation.accepted`, { token: owner.token });
    expect(byType.body.events.map((e: any) => e.subjectUserId)).toEqual([member.id]);
    const byUser = await f.call('GET', `${path}?userId=${member.id}&type=2fa.`, { token: owner.token });
    expect(byUser.body.events).toEqual([]);
    expect((await f.call('GET', `${path}?cursor=abc`, { token: owner.token })).status).toBe(400);
    // Attack: reading another account's log by its id.
    const other = await f.ownerWithTotp();
    expect((await f.call('GET', path, { token: other.token })).status).toBe(404);
    expect(
      (await f.call('GET', `${f.base(other.accountId)}/audit-events`, { token: other.token })).body.events.some(
        (e: any) => e.subjectUserId === member.id,
      ),
    ).toBe(false);
  });
});
