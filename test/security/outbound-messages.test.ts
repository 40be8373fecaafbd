// Outbound messages: caps that one user could use to block another's login codes, texts to numbers nobody
// verified, and SMS pumping (many users, many addresses, premium numbers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSink } from '../support/log-lines.ts';
import pino from 'pino';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories } from '../support/factories.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
beforeAll(async () => {
  // Behind a proxy, so each test comes from an address of its own.
  app = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  f = factories(app);
});
afterAll(() => app.close());

let lastOctet = 1;
const newAddress = () => `203.0.113.${lastOctet++}`;
const enrolSms = (token: string, phone: string, ip: string) =>
  f.call('POST', '/api/v1/me/2fa/sms', { token, body: { phone }, headers: { 'x-forwarded-for': ip } });
const throwAway = async () => f.login(await f.signup({ name: 'Throw Away' }));
const refusals = (scope: string) =>
  app.deps.db('audit_events').where({ type: 'code_send.refused' }).whereLike('detail', `%"scope":"${scope}"%`);

describe('SMS caps', () => {
  it("SMS denial by throw-away users: enrolment texts to a victim's verified number never block the victim's login texts", async () => {
    // Attack: four throw-away users send enrolment texts to the victim's number, exhausting a shared per-number cap
    // so that the victim's own sign-in texts answer 429 for an hour.
    const phone = '+61412340001';
    const victim = await f.signup({ name: 'Vic Victim' });
    const victimToken = await f.login(victim);
    expect((await enrolSms(victimToken, phone, newAddress())).status).toBe(202);
    expect(
      (await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: victimToken, body: { code: app.lastCode(phone, 'sms') } })).status,
    ).toBe(200);

    const attackerAddress = newAddress();
    for (let i = 0; i < 4; i++) expect((await enrolSms(await throwAway(), phone, attackerAddress)).status).toBe(202);
    // Harassing the number is capped too: a fifth unverified send to it in the hour is refused.
    const harass = await enrolSms(await throwAway(), phone, newAddress());
    expect(harass.status).toBe(429);
    expect(harass.headers.get('retry-after')).toMatch(/^\d+$/);

    const { challengeId } = await f.startChallenge(victim);
    const sent = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/send`, {
      body: { method: 'sms' },
      headers: { 'x-forwarded-for': newAddress() },
    });
    expect(sent.status).toBe(202);
    const verify = await f.call('POST', `/api/v1/auth/challenge/${challengeId}/verify`, {
      body: { method: 'sms', code: app.lastCode(phone, 'sms') },
    });
    expect(verify.body.status).toBe('authenticated');
    expect((await refusals('destination')).length).toBeGreaterThanOrEqual(1);
  });

  it('SMS pumping from one address: users made on the spot cannot text numbers of their choice without limit', async () => {
    // Attack: sign up user after user and have each text a (premium) number of the attacker's choice.
    const ip = newAddress();
    for (let i = 0; i < 20; i++)
      expect((await enrolSms(await throwAway(), `+6141235${String(1000 + i)}`, ip)).status, `send ${i}`).toBe(202);
    const refused = await enrolSms(await throwAway(), '+61412359999', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: expect.any(Number) });
    expect(app.outbox().filter((m) => m.to === '+61412359999')).toEqual([]);
    const [event] = await refusals('address');
    expect(event).toMatchObject({ ip });
    expect(JSON.parse(event.detail)).toEqual({ scope: 'address', channel: 'sms', countryCode: '61' });
  });

  it('parallel SMS sends to one unverified number: counted atomically, never more than the cap', async () => {
    // Attack: send many enrolment texts at the same moment so none sees the others.
    const tokens = [];
    for (let i = 0; i < 10; i++) tokens.push(await throwAway());
    const phone = '+61412340002';
    const answers = await Promise.all(tokens.map((t) => enrolSms(t, phone, newAddress())));
    expect(answers.filter((a) => a.status === 202).length).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 429)).toEqual([]);
    expect(app.outbox().filter((m) => m.to === phone).length).toBeLessThanOrEqual(5);
  });
});

describe('SMS pumping through many addresses', () => {
  it("SMS pumping: a country's hourly ceiling stops texts to it for everyone, other countries still get theirs", async () => {
    // Attack: many users from many addresses text premium numbers of one country; only a global ceiling stops it.
    const { stream: sink, lines } = lineSink();
    const capped = await startTestApp({
      env: { TRUST_PROXY: 'true', SMS_HOURLY_LIMIT_PER_COUNTRY: '3' },
      log: pino({ level: 'info' }, sink),
    });
    try {
      const g = factories(capped);
      const send = async (phone: string) =>
        g.call('POST', '/api/v1/me/2fa/sms', {
          token: await g.login(await g.signup()),
          body: { phone },
          headers: { 'x-forwarded-for': newAddress() },
        });
      for (let i = 0; i < 3; i++) expect((await send(`+4479111230${i}0`)).status).toBe(202);
      const refused = await send('+447911123099');
      expect(refused.status).toBe(429);
      expect((await send('+61412340003')).status).toBe(202);
      const events = await capped.deps.db('audit_events').where({ type: 'code_send.refused' });
      expect(events.map((e) => JSON.parse(e.detail))).toEqual([{ scope: 'country', channel: 'sms', countryCode: '44' }]);
      expect(lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50 && /SMS ceiling/.test(l.msg))).toHaveLength(1);
      // An hour later the country's texts flow again.
      capped.clock.advance(60 * 60_000 + 1000);
      expect((await send('+447911123098')).status).toBe(202);
    } finally {
      await capped.close();
    }
  });
});
