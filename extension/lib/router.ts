// The worker's one entry point for messages: known type, expected sender, well-formed request, then the
// handler. Everything else is refused and logged (type, reason, origin; never the request body).
import type { MessageError, MessageMap, MessageType, Reply, RequestOf, ResponseOf, SenderKind } from './messages.ts';
import { isTwofoldOrigin } from './origins.ts';

export interface SenderInfo {
  id?: string;
  origin?: string;
  url?: string;
  tab?: { id?: number; cookieStoreId?: string };
  frameId?: number;
}
/** Where a request comes from: the sender's origin, and for a page its tab's cookie store (a Firefox container). */
export interface HandlerContext {
  origin: string;
  storeId?: string;
}

export interface Handler<K extends MessageType> {
  from: MessageMap[K]['from'];
  parse(raw: unknown): RequestOf<K> | null;
  run(request: RequestOf<K>, context: HandlerContext): Promise<ResponseOf<K>>;
}
export type Handlers = { [K in MessageType]: Handler<K> };

export interface RouterOptions {
  handlers: Handlers;
  runtimeId: string;
  extensionOrigin: string;
  hostPatterns: readonly string[];
  log(event: string, detail: Record<string, string | number | boolean>): void;
  /** Turns a handler's failure into a message for the caller (no stack, no secrets). */
  describeError(error: unknown): MessageError;
}

function senderOrigin(sender: SenderInfo): string | null {
  if (sender.origin) return sender.origin;
  try {
    return sender.url ? new URL(sender.url).origin : null;
  } catch {
    return null;
  }
}

/** Which kind of sender this is, or null when it is not one of ours. */
export function classifySender(
  sender: SenderInfo,
  options: Pick<RouterOptions, 'runtimeId' | 'extensionOrigin' | 'hostPatterns'>,
): SenderKind | null {
  if (sender.id !== options.runtimeId) return null;
  const origin = senderOrigin(sender);
  if (!origin) return null;
  if (origin === options.extensionOrigin) return 'extension';
  if (sender.tab && isTwofoldOrigin(origin, options.hostPatterns)) return 'content';
  return null;
}

const safe = (value: unknown) =>
  String(value)
    .replace(/[^\w:.\-/[\]]/g, '?')
    .slice(0, 80);

export function createRouter(options: RouterOptions) {
  const refuse = (reason: string, detail: Record<string, string | number | boolean>): Reply<never> => {
    options.log('message refused', { reason, ...detail });
    return { ok: false, error: { reason: 'refused', message: 'This request is not allowed.' } };
  };
  return async function route(message: unknown, sender: SenderInfo): Promise<Reply<unknown>> {
    const origin = safe(senderOrigin(sender) ?? 'unknown');
    if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
      return refuse('malformed message', { origin });
    }
    const type = (message as { type: string }).type;
    if (!Object.hasOwn(options.handlers, type)) return refuse('unknown type', { type: safe(type), origin });
    const handler = options.handlers[type as MessageType] as Handler<MessageType>;
    const kind = classifySender(sender, options);
    if (kind !== handler.from) return refuse('unexpected sender', { type, origin, sender: kind ?? 'foreign' });
    const request = handler.parse((message as { request?: unknown }).request);
    if (request === null) {
      options.log('message refused', { reason: 'invalid request', type, origin });
      return { ok: false, error: { reason: 'invalid_request', message: 'The request is not valid.' } };
    }
    try {
      const storeId = sender.tab?.cookieStoreId;
      return { ok: true, value: await handler.run(request, { origin: senderOrigin(sender)!, ...(storeId ? { storeId } : {}) }) };
    } catch (error) {
      const described = options.describeError(error);
      options.log('message failed', { type, reason: described.reason, ...(described.apiCode ? { apiCode: described.apiCode } : {}) });
      return { ok: false, error: described };
    }
  };
}
