// The only place in the web app that calls fetch: JSON in and out, same-origin cookie, errors as ApiError.
import { isErrorBody, type ErrorCode } from '../shared/errors.ts';
import { API_PREFIX, CLIENT_HEADER, type Client } from '../shared/contract.ts';
import { parseAnswerBody } from '../shared/answer-body.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network_error',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get retryAfterSeconds(): number | null {
    const value = this.detail.retryAfterSeconds;
    return typeof value === 'number' ? value : null;
  }
  /** Why a session ended (`401 unauthenticated`): signed_out, 2fa_reset, 2fa_enabled, ended, expired; null if unknown. */
  get reason(): string | null {
    const value = this.detail.reason;
    return typeof value === 'string' ? value : null;
  }
  /** Twofold could not be reached (no answer, or a proxy's 502/503/504): worth retrying, and not a sign-out. */
  get unreachable(): boolean {
    return this.code === 'network_error';
  }
}

const UNREACHABLE = 'We could not reach Twofold. Check your connection and try again.';

export interface RequestOptions {
  body?: unknown;
  /** Authorization: Bearer <token>; only the setup_required challenge id uses it (enrolment calls). */
  bearer?: string;
}

type Listener = (error: ApiError) => void;
const listeners = new Set<Listener>();
/** Hear every failed call (the app uses it to send the user to forced setup or back to sign-in). */
export function onApiError(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { [CLIENT_HEADER]: 'web' satisfies Client, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw notify(new ApiError(0, 'network_error', UNREACHABLE));
  }
  let text = '';
  try {
    text = await response.text();
  } catch {
    throw notify(new ApiError(0, 'network_error', UNREACHABLE));
  }
  const parsed = parseAnswerBody(text);
  if (response.ok) return parsed as T;
  let error: ApiError;
  if (isErrorBody(parsed)) error = new ApiError(response.status, parsed.error.code, parsed.error.message, parsed.error);
  // A gateway's own page (the API behind it is down or restarting) is a connection problem, not an answer.
  else if (response.status >= 502 && response.status <= 504) error = new ApiError(response.status, 'network_error', UNREACHABLE);
  else error = new ApiError(response.status, 'internal_error', 'Something went wrong on our side. Please try again.');
  throw notify(error);
}

function notify(error: ApiError): ApiError {
  for (const listener of listeners) listener(error);
  return error;
}

/** A sentence for the person in front of the screen. */
/** What to tell the person about a failed call; `own` holds the caller's own words for some codes (a wrong password, say). */
export function describeError(error: unknown, own: Partial<Record<ApiError['code'], string>> = {}): string {
  if (error instanceof ApiError) {
    const words = own[error.code];
    if (words !== undefined) return words;
    if (error.detail.cancelled === true) return ''; // the person cancelled (the password prompt): not an error
    if (error.code === 'too_many_attempts' && error.retryAfterSeconds !== null) {
      return `Too many attempts. Try again in ${formatWait(error.retryAfterSeconds)}.`;
    }
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}

export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} minute${m === 1 ? '' : 's'}`;
}
