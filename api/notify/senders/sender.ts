// One interface for every way a message leaves Twofold: text messages and emails, real or into the outbox.
export interface OutgoingMessage {
  to: string;
  subject: string | null;
  body: string;
  /** The one-time code the message carries, if any (the outbox records it so developers and tests can read it). */
  code: string | null;
  /** Emails: the HTML part, sent alongside `body` (the plain-text part); made from `body` when not given. */
  html?: string;
}

export interface Sender {
  readonly channel: 'sms' | 'email';
  send(message: OutgoingMessage): Promise<void>;
}

/** A provider refused or could not be reached; the caller turns it into sms_delivery_failed / email_delivery_failed. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly providerCode: string | null = null,
    readonly retryable = false,
  ) {
    super(message);
  }
}
