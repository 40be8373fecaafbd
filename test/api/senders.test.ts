// The real providers against local servers that speak their wire formats: Twilio's Messages API over HTTP,
// and SMTP (smtp-server). What the user sees when a provider fails, and that nothing is half-enabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestApp, type TestApp } from '../support/app.ts';
import { factories } from '../support/factories.ts';
import { createTwilioSender } from '../../api/notify/senders/twilio.ts';
import { DeliveryError } from '../../api/notify/senders/sender.ts';

interface TwilioRequest {
  path: string;
  authorization: string;
  contentType: string;
  form: URLSearchParams;
}

/** Speaks Twilio's Messages API: 201 with a message resource, or its JSON error bodies (21211, 20429). */
function startFakeTwilio(): Promise<{ url: string; requests: TwilioRequest[]; server: Server }> {
  const requests: TwilioRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization ?? '',
        contentType: req.headers['content-type'] ?? '',
        form,
      });
      res.setHeader('content-type', 'application/json');
      const to = form.get('To') ?? '';
      if (req.headers.authorization !== `Basic ${Buffer.from('AC123:secret-token').toString('base64')}`) {
        res.statusCode = 401;
        return res.end(
          JSON.stringify({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }),
        );
      }
      if (to.endsWith('0000')) {
        res.statusCode = 400;
        return res.end(
          JSON.stringify({
            code: 21211,
            message: `The 'To' number ${to} is not a valid phone number.`,
            more_info: 'https://www.twilio.com/docs/errors/21211',
            status: 400,
          }),
        );
      }
      if (to.endsWith('9999')) {
        res.statusCode = 429;
        return res.end(
          JSON.stringify({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 }),
        );
      }
      res.statusCode = 201;
      res.end(JSON.stringify({ sid: `SM${'0'.repeat(32)}`, status: 'queued', to, from: form.get('From'), body: form.get('Body') }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server })),
  );
}

describe('Twilio adapter', () => {
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  let app: TestApp;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    app = await startTestApp({
      env: {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_AUTH_TOKEN: 'secret-token',
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.url,
      },
    });
    f = factories(app);
  });
  afterAll(async () => {
    await app.close();
    twilio.server.close();
  });

  it('posts a form-encoded message with basic auth to the Messages resource', async () => {
    const user = await f.userWithTotp();
    const r = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone: '+61412345678' } });
    expect(r.status).toBe(202);
    const sent = twilio.requests.at(-1)!;
    expect(sent.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(sent.contentType).toBe('application/x-www-form-urlencoded');
    expect(sent.form.get('To')).toBe('+61412345678');
    expect(sent.form.get('From')).toBe('+15005550006');
    const code = /(\d{6})/.exec(sent.form.get('Body')!)![1]!;
    expect((await f.call('POST', '/api/v1/me/2fa/sms/verify', { token: user.token, body: { code } })).body.enabled).toBe(true);
  });

  it.each([
    ['invalid number (21211)', '+61412340000'],
    ['rate limited (20429)', '+61412349999'],
  ])('%s: the user sees 502 sms_delivery_failed and nothing is half-enabled', async (_name, phone) => {
    const user = await f.userWithTotp();
    const r = await f.call('POST', '/api/v1/me/2fa/sms', { token: user.token, body: { phone } });
    expect(r.status).toBe(502);
    expect(r.body.error).toMatchObject({ code: 'sms_delivery_failed', message: expect.stringMatching(/could not send/i) });
    const factor = await app.deps.db('factors').where({ user_id: user.id, method: 'sms' }).first();
    expect(factor).toBeUndefined();
    expect(await app.deps.db('one_time_codes').where({ user_id: user.id })).toHaveLength(0);
    expect((await f.call('GET', '/api/v1/me/2fa', { token: user.token })).body.methods.sms.enabled).toBe(false);
  });

  // Attack: a code phished by a look-alike site. The text's last line binds the code to PUBLIC_URL's host, so
  // phones and browsers (WebOTP) offer it to that site only; a request's Host or Origin must not choose the host.
  it('ends every text with the origin-bound line `@host #code`, the host from PUBLIC_URL and never from the request', async () => {
    const user = await f.userWithTotp();
    const r = await f.call('POST', '/api/v1/me/2fa/sms', {
      token: user.token,
      body: { phone: '+61412345679' },
      headers: { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    expect(r.status).toBe(202);
    const text = twilio.requests.at(-1)!.form.get('Body')!;
    const code = /(\d{6})/.exec(text)![1]!;
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe(`@${new URL(app.url).hostname} #${code}`);
    expect(lines.at(-2)).toBe('');
    expect(text).not.toContain('evil.example');
  });

  it("the outbox keeps the contract's fields for every email and adds its HTML part", async () => {
    const user = await f.signup({ verified: false });
    const line = app
      .outbox()
      .filter((m) => m.to === user.email)
      .at(-1)! as unknown as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['channel', 'to', 'subject', 'body', 'code', 'at', 'html']);
    expect(line.html).toMatch(/^<!doctype html>/);
    expect(line.html).toContain(`${app.url}/verify-email#token=${line.code}`);
  });

  it('maps error bodies to DeliveryError with the provider code', async () => {
    const sender = createTwilioSender({ accountSid: 'AC123', authToken: 'secret-token', from: '+15005550006', baseUrl: twilio.url });
    await expect(sender.send({ to: '+61412340000', subject: null, body: 'x', code: null })).rejects.toMatchObject({
      providerCode: '21211',
      retryable: false,
    });
    await expect(sender.send({ to: '+61412349999', subject: null, body: 'x', code: null })).rejects.toMatchObject({
      providerCode: '20429',
      retryable: true,
    });
    const wrongAuth = createTwilioSender({ accountSid: 'AC123', authToken: 'nope', from: '+1', baseUrl: twilio.url });
    await expect(wrongAuth.send({ to: '+61412345678', subject: null, body: 'x', code: null })).rejects.toBeInstanceOf(DeliveryError);
  });

  it('an unreachable provider is a delivery failure too', async () => {
    const sender = createTwilioSender({
      accountSid: 'AC123',
      authToken: 'secret-token',
      from: '+1',
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 2000,
    });
    await expect(sender.send({ to: '+61412345678', subject: null, body: 'x', code: null })).rejects.toMatchObject({ retryable: true });
  });
});

describe('SMTP adapter (nodemailer against a local smtp-server)', () => {
  const received: { from: string; to: string[]; data: string }[] = [];
  let rejectAll = false;
  let smtp: SMTPServer;
  let port = 0;
  let app: TestApp;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        if (rejectAll) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c) => (data += c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    port = (smtp.server.address() as AddressInfo).port;
    app = await startTestApp({
      env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: `smtp://127.0.0.1:${port}`, EMAIL_FROM: 'Twofold <security@twofold.test>' },
    });
    f = factories(app);
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('delivers the enrolment code over a real SMTP conversation', async () => {
    const user = await f.signup({ verified: false }); // the verification link went by SMTP, not to the outbox
    const token = await f.login(user);
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token })).status).toBe(202);
    const mail = received.at(-1)!;
    expect(mail.to).toEqual([user.email]);
    expect(mail.from).toBe('security@twofold.test');
    const code = /code to confirm this address is (\d{6})/.exec(mail.data.replace(/=\r?\n/g, ''))![1]!;
    expect((await f.call('POST', '/api/v1/me/2fa/email/verify', { token, body: { code } })).body.enabled).toBe(true);
  });

  it('sends a plain-text part and an HTML part that says the same, escaped, with only PUBLIC_URL links clickable', async () => {
    // The name is the user's own: it must come out as text in the HTML part, never as markup or a link.
    const user = await f.signup({ verified: false, name: 'Mallory <b>Bold</b> https://evil.example/x' });
    const mail = received.filter((m) => m.to.includes(user.email)).at(-1)!;
    const { headers, parts } = parseMime(mail.data);
    expect(headers['content-type']).toMatch(/^multipart\/alternative;/);
    const text = parts.find((p) => p.type.startsWith('text/plain'))!;
    const html = parts.find((p) => p.type.startsWith('text/html'))!;
    expect(parts.map((p) => p.type.split(';')[0])).toEqual(['text/plain', 'text/html']);
    const link = `${app.url}/verify-email#token=`;
    expect(text.body).toContain(link);
    expect(html.body).toMatch(new RegExp(`<a href="${app.url.replace(/[.]/g, '\\.')}/verify-email#token=[A-Za-z0-9_-]+"`));
    expect(html.body).toContain('Mallory &lt;b&gt;Bold&lt;/b&gt; https://evil.example/x');
    expect(html.body).not.toContain('<b>Bold</b>');
    expect(html.body).not.toContain('href="https://evil.example');
  });

  it('sets the emailed code large in the HTML part', async () => {
    const user = await f.signup({ verified: false });
    const token = await f.login(user);
    expect((await f.call('POST', '/api/v1/me/2fa/email', { token })).status).toBe(202);
    const { parts } = parseMime(received.at(-1)!.data);
    const text = parts.find((p) => p.type.startsWith('text/plain'))!.body;
    const code = /code to confirm this address is (\d{6})/.exec(text)![1]!;
    expect(parts.find((p) => p.type.startsWith('text/html'))!.body).toContain(
      `letter-spacing:4px;font-family:Menlo,Consolas,monospace">${code}</strong>`,
    );
  });

  it('a refusing server: 502 email_delivery_failed and nothing half-enabled', async () => {
    const user = await f.signup({ verified: false });
    const token = await f.login(user);
    rejectAll = true;
    try {
      const r = await f.call('POST', '/api/v1/me/2fa/email', { token });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('email_delivery_failed');
      expect(await app.deps.db('factors').where({ user_id: user.id })).toHaveLength(0);
    } finally {
      rejectAll = false;
    }
  });
});

/** The top headers and the parts of a multipart message as received over SMTP, quoted-printable decoded. */
function parseMime(raw: string): { headers: Record<string, string>; parts: { type: string; body: string }[] } {
  const unfold = (block: string) => block.replace(/\r?\n[ \t]+/g, ' ');
  const headerMap = (block: string) =>
    Object.fromEntries(
      unfold(block)
        .split(/\r?\n/)
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = headerMap(head!);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return { headers, parts: [] };
  const body = rest.join('\r\n\r\n');
  const parts = body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith('--'))
    .map((part) => {
      const [partHead, ...partBody] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
      const h = headerMap(partHead!);
      let content = partBody.join('\r\n\r\n').trim();
      if (/quoted-printable/i.test(h['content-transfer-encoding'] ?? '')) {
        content = Buffer.from(
          content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8');
      } else if (/base64/i.test(h['content-transfer-encoding'] ?? '')) {
        content = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
      }
      return { type: h['content-type'] ?? '', body: content };
    });
  return { headers, parts };
}
