// Email over SMTP with nodemailer.
import nodemailer from 'nodemailer';
import { DeliveryError, type OutgoingMessage, type Sender } from './sender.ts';

export function createSmtpSender(options: { url: string; from: string }): Sender {
  const transport = nodemailer.createTransport(options.url);
  return {
    channel: 'email',
    async send(message: OutgoingMessage) {
      try {
        await transport.sendMail({ from: options.from, to: message.to, subject: message.subject ?? 'Twofold', text: message.body });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string };
        throw new DeliveryError(`SMTP refused the message (${e.responseCode ?? e.code ?? 'unknown'})`, e.responseCode ? String(e.responseCode) : null);
      }
    },
  };
}
