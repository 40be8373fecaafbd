// Twilio's Messages API over fetch: form-encoded POST with basic auth. Its error bodies become DeliveryErrors.
import { DeliveryError, type OutgoingMessage, type Sender } from './sender.ts';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl: string;
  timeoutMs?: number;
}

export function createTwilioSender(options: TwilioOptions): Sender {
  const url = `${options.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    channel: 'sms',
    async send(message: OutgoingMessage) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ To: message.to, From: options.from, Body: message.body }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new DeliveryError(`Twilio unreachable: ${(err as Error).name}`, null, true);
      }
      if (response.ok) return;
      // Twilio answers errors as {code, message, more_info, status}: 21211 invalid number, 20429 too many requests.
      const body = (await response.json().catch(() => ({}))) as { code?: number; message?: string };
      throw new DeliveryError(
        `Twilio refused the message (HTTP ${response.status}, code ${body.code ?? 'none'})`,
        body.code ? String(body.code) : null,
        response.status === 429 || response.status >= 500,
      );
    },
  };
}
