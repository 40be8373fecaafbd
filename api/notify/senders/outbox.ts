// The outbox: one JSON line per message, appended to OUTBOX_PATH (the embedded default, and what tests read).
// Emails carry their HTML part in `html`, after the contract's fields.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutgoingMessage, Sender } from './sender.ts';

export function createOutboxSender(channel: 'sms' | 'email', path: string, now: () => number = Date.now): Sender {
  return {
    channel,
    async send(message: OutgoingMessage) {
      await mkdir(dirname(path), { recursive: true });
      const line = {
        channel,
        to: message.to,
        subject: message.subject,
        body: message.body,
        code: message.code,
        at: new Date(now()).toISOString(),
        ...(message.html ? { html: message.html } : {}),
      };
      await appendFile(path, `${JSON.stringify(line)}\n`);
    },
  };
}
