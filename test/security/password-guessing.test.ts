// Password guessing at login and at reauth: throttled per email (known or not) and per client address, counted
// before the password is looked at (so parallel guesses and a right password change nothing), audited and logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineSink } from '../support/log-lines.ts';
import pino from 'pino';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories, PASSWORD, uniqueEmail } from '../support/factories.ts';
import { emailWaitMs } from '../../api/factors/password-throttle.ts';

let app: TestApp;
let f: ReturnType<typeof factories>;
const { stream: sink, lines } = lineSink();
beforeAll(async () => {
  // Behind a proxy, so each test can come from an address of its own (X-Forwarded-For's last entry).
  app = await startTestApp({ env: { TRUST_PROXY: 'true' }, log: pino({ level: 'info' }, sink) });
  f = factories(app);
});
afterAll(() => app.close());

let lastOctet = 1;
const newAddress = () => `198.51.100.${lastOctet++}`;
const login = (email: string, password: string, ip: string) =>
  f.call('POST', '/api/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

describe('password guessing at login', () => {
  it('password guessing on one email: after 5 wrong passwords the right one answers 429 with Retry-After until the wait is over', async () => {
    // Attack: guess a known user's password as fast as the server answers; the guess that is right must not get in early.
    const user = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 5; i++) expect((await login(user.email, `wrong guess number ${i}`, ip)).status).toBe(401);
    const early = await login(user.email, PASSWORD, ip);
    expect(early.status).toBe(429);
    expect(early.body.error).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 30 });
    expect(early.headers.get('retry-after')).toBe('30');
    app.clock.advance(29_000);
    expect((await login(user.email, PASSWORD, ip)).status).toBe(429);
    app.clock.advance(1_000);
    expect((await login(user.email, PASSWORD, ip)).body.status).toBe('authenticated');
    // The right password ended the streak: the next typo costs nothing.
    expect((await login(user.email, 'one more typo here', ip)).status).toBe(401);
    expect((await login(user.email, PASSWORD, ip)).status).toBe(200);
  });

  it('password guessing keeps slowing: the waits double up to an hour, so 100 failures in a row take days', async () => {
    // Attack: keep guessing slowly, just after each wait ends.
    const user = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 5; i++) await login(user.email, `wrong guess number ${i}`, ip);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const refused = await login(user.email, 'still guessing', ip);
      expect(refused.status).toBe(429);
      waits.push(refused.body.error.retryAfterSeconds);
      app.clock.advance(refused.body.error.retryAfterSeconds * 1000);
      expect((await login(user.email, `guess after wait ${i}`, ip)).status).toBe(401);
    }
    expect(waits).toEqual([30, 60, 120, 240]);
    let total = 0;
    for (let n = 1; n < 100; n++) total += emailWaitMs(n);
    expect(total).toBeGreaterThan(3 * 24 * 3600_000);
  });

  it('a streak is forgotten a day after its last wrong password, and not a moment before', async () => {
    // Typos a day apart are not a guessing run: 24 hours after the last wrong password the free failures are free
    // again. Until then the streak stands.
    const user = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 5; i++) expect((await login(user.email, `monday typo ${i}`, ip)).status).toBe(401);
    app.clock.advance(24 * 3600_000 - 1);
    expect((await login(user.email, 'still within the day', ip)).status).toBe(401); // the sixth in a row: a wait begins
    expect((await login(user.email, PASSWORD, ip)).status).toBe(429);
    app.clock.advance(24 * 3600_000 + 1);
    // Four typos, all answered: had the streak been kept, the first would have begun a wait and the second met it.
    for (let i = 0; i < 4; i++) expect((await login(user.email, `tuesday typo ${i}`, ip)).status).toBe(401);
    expect((await login(user.email, PASSWORD, ip)).body.status).toBe('authenticated');
  });

  it('email enumeration through the throttle: an unknown email gets the same answers at the same steps', async () => {
    // Attack: tell registered emails from unknown ones by when (or whether) the throttle answers.
    const user = await f.signup();
    const answers = async (email: string) => {
      const ip = newAddress();
      const out: unknown[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await login(email, `wrong guess number ${i}`, ip);
        out.push([r.status, r.body.error.code, r.body.error.retryAfterSeconds ?? null, r.headers.get('retry-after')]);
      }
      return out;
    };
    const known = await answers(user.email);
    const unknown = await answers(uniqueEmail('nobody'));
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toEqual([429, 'too_many_attempts', 30, '30']);
  });

  it('email spelling: upper case and spaces count against the same email', async () => {
    // Attack: dodge the per-email count by changing how the email is written.
    const user = await f.signup();
    const ip = newAddress();
    const spellings = [
      user.email,
      user.email.toUpperCase(),
      ` ${user.email}`,
      `${user.email} `,
      user.email.replace(/^./, (c) => c.toUpperCase()),
    ];
    for (const spelling of spellings) expect((await login(spelling, 'a wrong guess', ip)).status).toBe(401);
    expect((await login(user.email, PASSWORD, ip)).status).toBe(429);
  });

  it('parallel password guesses: 20 at once are counted before they are checked, so only the 5 free ones are tried', async () => {
    // Attack: send many guesses at the same moment so none sees the others' failures.
    const user = await f.signup();
    const ip = newAddress();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(user.email, `parallel guess ${i}`, ip)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it('password spraying from one address: one guess on each of many emails is throttled per address', async () => {
    // Attack: try a common password once on each of many emails, from one address.
    const victim = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 30; i++) expect((await login(uniqueEmail('sprayed'), PASSWORD, ip)).status).toBe(401);
    const refused = await login(victim.email, PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error.retryAfterSeconds).toBe(60);
    // The victim from their own address is not held back by the sprayer.
    expect((await login(victim.email, PASSWORD, newAddress())).body.status).toBe('authenticated');
    // The address's bucket drains one failure a minute: one more guess a minute, no burst.
    app.clock.advance(60_000);
    expect((await login(uniqueEmail('sprayed'), PASSWORD, ip)).status).toBe(401);
    expect((await login(uniqueEmail('sprayed'), PASSWORD, ip)).status).toBe(429);
  });

  it("password spraying with an account of one's own: signing in between guesses does not reset the address's count", async () => {
    // Attack: reset the per-address count by a successful login to an account the attacker owns.
    const own = await f.signup();
    const victim = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 30; i++) {
      expect((await login(uniqueEmail('sprayed'), PASSWORD, ip)).status).toBe(401);
      if (i % 4 === 0) expect((await login(own.email, PASSWORD, ip)).status).toBe(200);
    }
    expect((await login(victim.email, PASSWORD, ip)).status).toBe(429);
  });

  it('an office behind one address: 20 people signing in at once are not held back, and their typos drain away', async () => {
    const people = [];
    for (let i = 0; i < 20; i++) people.push(await f.signup());
    const ip = newAddress();
    for (let i = 0; i < 20; i++) expect((await login(people[i]!.email, 'a typo of mine', ip)).status).toBe(401);
    // Twenty minutes later the twenty typos have drained: twenty people at once all get in.
    app.clock.advance(20 * 60_000);
    const answers = await Promise.all(people.map((p) => login(p.email, PASSWORD, ip)));
    expect(answers.map((a) => a.status)).toEqual(people.map(() => 200));
    // Their right passwords took nothing from the bucket: a burst of typos is still free.
    for (let i = 0; i < 29; i++) expect((await login(people[i % 20]!.email, 'another typo', ip)).status).toBe(401);
  });

  it('a wait that begins is audited for the user and logged, without the email', async () => {
    const user = await f.signup();
    const ip = newAddress();
    for (let i = 0; i < 5; i++) await login(user.email, `wrong guess number ${i}`, ip);
    const events = await app.deps.db('audit_events').where({ subject_user_id: user.id, type: 'login.password_throttled' });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].detail)).toEqual({ scope: 'email', failures: 5, retryAfterSeconds: 30 });
    expect(events[0].ip).toBe(ip);
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'password guessing throttled' && l.ip === ip);
    expect(logged).toEqual([expect.objectContaining({ scope: 'email', failures: 5, retryAfterSeconds: 30, level: 40 })]);
    expect(lines.join('\n')).not.toContain(user.email);
    expect(JSON.stringify(await app.deps.db('password_throttles').select())).not.toContain(user.email);
  });
});

describe('password guessing at reauth', () => {
  it('password guessing through a stolen session: reauth is throttled like the login, on the same count', async () => {
    // Attack: with a session in hand, guess the password at POST /auth/reauth to reach the sensitive calls.
    const user = await f.signup();
    const ip = newAddress();
    const token = (await login(user.email, PASSWORD, ip)).body.session.token;
    const reauth = (password: string) =>
      f.call('POST', '/api/v1/auth/reauth', { token, body: { password }, headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 4; i++) expect((await reauth(`wrong guess number ${i}`)).status).toBe(401);
    expect((await login(user.email, 'and one at the login', ip)).status).toBe(401);
    const early = await reauth(PASSWORD);
    expect(early.status).toBe(429);
    expect(early.body.error).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 30 });
    expect(early.headers.get('retry-after')).toBe('30');
    expect((await login(user.email, PASSWORD, ip)).status).toBe(429);
    app.clock.advance(30_000);
    expect((await reauth(PASSWORD)).status).toBe(200);
  });
});
