// Names the API, the web app and the extension must spell alike: cookies, headers, the events and URL fragments they
// exchange, the marks the web app's pages carry for the content script. Each is written here once; a change here is
// a change to the contract (../shared/api.md), and old extensions in the field still speak the old one.
// No imports and no zod: the web app's sign-in page and the dialer's popup take these without the schemas.

/** Every API path starts here. */
export const API_PREFIX = '/api/v1';

/** The one session for the web app and the dialer: HttpOnly, SameSite=Lax. The API sets it; the extension reads
 * it with the cookies API and writes it, at the same path, when the dialer signs in. */
export const SESSION_COOKIE = 'twofold_session';
export const SESSION_COOKIE_PATH = '/';

/** The trusted-device token ("Remember this browser"), only where login reads it. */
export const DEVICE_COOKIE = 'twofold_device';
export const DEVICE_COOKIE_PATH = `${API_PREFIX}/auth`;

/** Which client calls: `X-Twofold-Client: web` or `dialer` (the session records it; login may take it in the body). */
export const CLIENT_HEADER = 'X-Twofold-Client';
export const clients = ['web', 'dialer'] as const;
export type Client = (typeof clients)[number];

/** The DOM event the content script fires on a Twofold page's window when the shared session starts or ends; the
 * web app listens and re-checks its session. */
export const SESSION_EVENT = 'twofold:session-changed';
export type SessionEventDetail = 'started' | 'ended';

/** A phone number as the API takes it: E.164, `+` and 7 to 15 digits (the API then checks it is a real number). */
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;

/** The dialer hands a sign-in challenge to the web app in the URL fragment (no server sees it):
 * `/#/continue-sign-in?challenge=…&email=…&methods=…&preferred=…&expires=…`. */
export const HANDOFF_PREFIX = '#/continue-sign-in?';
export interface HandoffQuery {
  challenge: string;
  email: string;
  /** Comma-separated methods. */
  methods: string;
  preferred: string;
  /** ISO 8601. */
  expires: string;
}

/** The marks on the web app's pages that the content script reads: whose code a form asks for and by which
 * method, and the otpauth:// URI a setup page shows (a page that shows one is never filled). */
export const USER_ATTRIBUTE = 'data-twofold-user';
export const METHOD_ATTRIBUTE = 'data-twofold-method';
export const OTPAUTH_ATTRIBUTE = 'data-otpauth-uri';

/** The marks as JSX attributes: `<form {...pageMarks({ user, method })}>`. */
export function pageMarks(marks: { user?: string; method?: string; otpauthUri?: string }): Record<string, string | undefined> {
  return { [USER_ATTRIBUTE]: marks.user, [METHOD_ATTRIBUTE]: marks.method, [OTPAUTH_ATTRIBUTE]: marks.otpauthUri };
}
