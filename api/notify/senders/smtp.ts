// Email over SMTP with nodemailer: a plain-text part and, when the message has one, an HTML part. nodemailer is
// loaded with the first email, not at start-up.
import type { Transporter } from 'nodemailer';
import { DeliveryError, type OutgoingMessage, type Sender } from './sender.ts';

export function createSmtpSender(options: { url: string; from: string }): Sender {
  let transporter: Promise<Transporter> | undefined;
  const transportOf = () => {
    transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options.url));
    return transporter;
  };
  return {
    channel: 'email',
    async send(message: OutgoingMessage) {
      const transport = await transportOf();
      try {
        // multipart/alternative: the plain text first, the HTML part (when there is one) preferred by mail clients that show it.
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject ?? 'Twofold',
          text: message.body,
          ...(message.html ? { html: message.html } : {}),
        });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        throw new DeliveryError(
          `SMTP refused the message (${e.responseCode ?? e.code ?? 'unknown'})`,
          e.responseCode ? String(e.responseCode) : null,
        );
      }
    },
  };
}
