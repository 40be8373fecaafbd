// Every message the extension passes between its parts: name -> request and response. The service worker
// answers; the popup and options pages ("extension" senders) and the content script on a Twofold origin
// ("content" senders) ask. Nothing else gets an answer.
import type { Call, Method, User } from '../shared/schemas.ts';

export type SenderKind = 'extension' | 'content';

export interface AccountSummary { id: string; name: string; role: string }

/** What the dialer shows; the popup keeps the last one (no tokens in it) to draw its first frame at once. */
export interface DialerView {
  server: string;
  /** `setupDueBy`: in a grace period, when 2FA must be set up (GET /session's twoFactorSetupDueBy). */
  signedIn: { user: User; accounts: AccountSummary[]; selectedAccountId: string | null; setupDueBy?: string | null } | null;
  pending: PendingChallenge | null;
  clockSkewSeconds: number | null;
}

export interface PendingChallenge {
  email: string;
  methods: Method[];
  preferredMethod: Method;
  expiresAt: string;
  /** The dialer can fill the code: an authenticator is kept for this server and user. */
  canFill: boolean;
}

export interface AuthenticatorSummary {
  id: string;
  name: string;
  issuer: string;
  origin: string;
  user: string;
  createdAt: string;
}

export type LoginOutcome =
  | { status: 'authenticated'; view: DialerView }
  | { status: 'challenge'; view: DialerView }
  | { status: 'setup_required'; message: string };

export interface MessageMap {
  // ---- from the popup and the options page ----
  'dialer:view': { from: 'extension'; request: { fresh: boolean }; response: DialerView };
  'dialer:set-server': { from: 'extension'; request: { server: string }; response: DialerView };
  'auth:login': { from: 'extension'; request: { email: string; password: string }; response: LoginOutcome };
  'auth:send-code': { from: 'extension'; request: { method: 'sms' | 'email' }; response: { sentTo: string; resendAfterSeconds: number } };
  'auth:verify': { from: 'extension'; request: { method: Method; code: string; rememberDevice: boolean }; response: DialerView };
  'auth:cancel': { from: 'extension'; request: Record<string, never>; response: DialerView };
  /** Opens the pending challenge in the web app (a security key works only there); the shared session follows. */
  'auth:continue-in-web': { from: 'extension'; request: Record<string, never>; response: { opened: true } };
  'auth:logout': { from: 'extension'; request: Record<string, never>; response: DialerView };
  'auth:dialer-code': { from: 'extension'; request: Record<string, never>; response: { code: string | null } };
  'account:select': { from: 'extension'; request: { accountId: string }; response: DialerView };
  'calls:list': { from: 'extension'; request: { accountId: string }; response: Call[] };
  'calls:place': { from: 'extension'; request: { accountId: string; to: string }; response: Call };
  'vault:list': { from: 'extension'; request: Record<string, never>; response: AuthenticatorSummary[] };
  'vault:rename': { from: 'extension'; request: { id: string; name: string }; response: AuthenticatorSummary[] };
  'vault:remove': { from: 'extension'; request: { id: string }; response: AuthenticatorSummary[] };
  'clock:status': { from: 'extension'; request: Record<string, never>; response: { skewSeconds: number | null } };
  // ---- from the content script on a Twofold origin (the origin is taken from the sender, never the body) ----
  'page:hello': { from: 'content'; request: { deviceToken: string | null }; response: { deviceToken: string | null } };
  'vault:keep': { from: 'content'; request: { uri: string; user: string | null }; response: { name: string } };
  'code:for-page': { from: 'content'; request: { user: string }; response: { code: string | null } };
}

export type MessageType = keyof MessageMap;
export type RequestOf<K extends MessageType> = MessageMap[K]['request'];
export type ResponseOf<K extends MessageType> = MessageMap[K]['response'];
export interface Envelope<K extends MessageType = MessageType> { type: K; request: RequestOf<K> }

export type ErrorReason = 'refused' | 'invalid_request' | 'not_signed_in' | 'no_server' | 'network_error' | 'api_error' | 'failed';
export interface MessageError { reason: ErrorReason; message: string; apiCode?: string; retryAfterSeconds?: number }
export type Reply<T> = { ok: true; value: T } | { ok: false; error: MessageError };

/** What the worker tells the popup, options page and content scripts, unasked. */
export type Broadcast =
  | { broadcast: 'session-changed'; state: 'started' | 'ended' }
  | { broadcast: 'view-changed' };

/** The DOM event the content script fires on a Twofold page's window when the shared session starts or ends. */
export const SESSION_EVENT = 'twofold:session-changed';
