// Every message the extension passes between its parts: name -> request and response. The service worker
// answers; the popup and options pages ("extension" senders) and the content script on a Twofold origin
// ("content" senders) ask. Nothing else gets an answer.
import type { Call, Method, User } from '../../shared/schemas.ts';
import type { SessionEventDetail } from '../../shared/contract.ts';

export type SenderKind = 'extension' | 'content';

export interface AccountSummary {
  id: string;
  name: string;
  role: string;
}

/** What the dialer shows; the popup keeps the last one (no tokens in it) to draw its first frame at once. */
export interface DialerView {
  server: string;
  /** A Twofold web app opened in this browser at another origin: offered, never followed silently. */
  otherServer: string | null;
  /** The server did not answer (or not like Twofold): the dialer shows sign-in and the server to check. */
  unreachable: boolean;
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

/** How the kept authenticators are protected, for the options page and the unlock forms. */
export interface VaultStatus {
  /** unset: nothing kept yet and no choice made; none: this computer's account only; passphrase: wrapped at rest. */
  protection: 'unset' | 'none' | 'passphrase';
  locked: boolean;
  /** A page asked for the passphrase a moment ago: the popup asks for it first. */
  unlockAsked: boolean;
  /** Minutes without a use before the vault locks; null: when the browser closes. */
  idleMinutes: number | null;
  count: number;
  /** The name of an authenticator waiting for the person to choose a passphrase or unlock, if any. */
  pendingKeep: string | null;
}

export type KeepAnswer = { status: 'kept'; name: string } | { status: 'choose-protection' } | { status: 'locked' };

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
  /** The kept authenticator's code for the dialer's challenge; `next`: the following step's (the current one was spent). */
  'auth:dialer-code': { from: 'extension'; request: { next: boolean }; response: { code: string | null; locked: boolean } };
  'account:select': { from: 'extension'; request: { accountId: string }; response: DialerView };
  'calls:list': { from: 'extension'; request: { accountId: string }; response: Call[] };
  'calls:place': { from: 'extension'; request: { accountId: string; to: string }; response: Call };
  'vault:list': { from: 'extension'; request: Record<string, never>; response: AuthenticatorSummary[] };
  'vault:rename': { from: 'extension'; request: { id: string; name: string }; response: AuthenticatorSummary[] };
  'vault:remove': { from: 'extension'; request: { id: string }; response: AuthenticatorSummary[] };
  'vault:status': { from: 'extension'; request: Record<string, never>; response: VaultStatus };
  'vault:unlock': { from: 'extension'; request: { passphrase: string }; response: VaultStatus };
  'vault:lock': { from: 'extension'; request: Record<string, never>; response: VaultStatus };
  /** Sets, changes or (passphrase null) removes the passphrase; `current` is required while there is one. */
  'vault:set-passphrase': { from: 'extension'; request: { passphrase: string | null; current: string | null }; response: VaultStatus };
  'vault:set-idle': { from: 'extension'; request: { minutes: number | null }; response: VaultStatus };
  'clock:status': { from: 'extension'; request: Record<string, never>; response: { skewSeconds: number | null } };
  // ---- from the content script on a Twofold origin (the origin is taken from the sender, never the body) ----
  'page:hello': { from: 'content'; request: Record<string, never>; response: Record<string, never> };
  'vault:keep': { from: 'content'; request: { uri: string; user: string | null; withoutPassphrase: boolean }; response: KeepAnswer };
  /** Opens where the person types the passphrase: to unlock (the popup, else the options page) or to choose one. */
  'vault:show': { from: 'content'; request: { what: 'unlock' | 'passphrase' }; response: Record<string, never> };
  'code:for-page': { from: 'content'; request: { user: string }; response: { code: string | null; locked: boolean } };
}

export type MessageType = keyof MessageMap;
export type RequestOf<K extends MessageType> = MessageMap[K]['request'];
export type ResponseOf<K extends MessageType> = MessageMap[K]['response'];
export interface Envelope<K extends MessageType = MessageType> {
  type: K;
  request: RequestOf<K>;
}

export type ErrorReason =
  | 'refused'
  | 'invalid_request'
  | 'not_signed_in'
  | 'no_server'
  | 'network_error'
  | 'api_error'
  | 'locked'
  | 'failed';
export interface MessageError {
  reason: ErrorReason;
  message: string;
  apiCode?: string;
  retryAfterSeconds?: number;
}
export type Reply<T> = { ok: true; value: T } | { ok: false; error: MessageError };

/** What the worker tells the popup, options page and content scripts, unasked. */
export type Broadcast =
  | { broadcast: 'session-changed'; state: SessionEventDetail }
  | { broadcast: 'view-changed' }
  /** Unlocked, locked, protected or a waiting authenticator kept: pages fill again, forms refresh. */
  | { broadcast: 'vault-changed'; kept: string | null };
