// The configured senders. Delivery failures are logged without the message body (it may hold a code).
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { createOutboxSender } from './outbox.ts';
import { createTwilioSender } from './twilio.ts';
import { createSmtpSender } from './smtp.ts';
import type { Sender } from './sender.ts';
import { renderEmailHtml } from '../email-html.ts';

export interface Senders {
  sms: Sender;
  email: Sender;
}

export function createSenders(config: Config, log: Logger): Senders {
  const sms = config.sms.provider === 'twilio' ? createTwilioSender(config.sms) : createOutboxSender('sms', config.outboxPath);
  const email = config.email.provider === 'smtp' ? createSmtpSender(config.email) : createOutboxSender('email', config.outboxPath);
  return { sms: logged(sms, log), email: logged(withHtmlPart(email, config.publicUrl), log) };
}

/** Every email leaves with an HTML part made from its text, whichever module wrote it. */
function withHtmlPart(sender: Sender, publicUrl: string): Sender {
  return {
    channel: sender.channel,
    send: (message) => sender.send({ ...message, html: message.html ?? renderEmailHtml(message, publicUrl) }),
  };
}

function logged(sender: Sender, log: Logger): Sender {
  return {
    channel: sender.channel,
    async send(message) {
      try {
        await sender.send(message);
      } catch (err) {
        log.warn({ channel: sender.channel, reason: (err as Error).message }, 'message delivery failed');
        throw err;
      }
    },
  };
}
