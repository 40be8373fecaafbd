// The closed catalogue of error codes the API answers with. The API renders them; the web app and the
// extension read them. Adding a code means adding it here, with its status and a default sentence.
export const errorCatalogue = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_credentials: { status: 401, message: 'That email and password do not match.' },
  unauthenticated: { status: 401, message: 'Please sign in.' },
  invalid_code: { status: 401, message: 'That code is not right.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  reauth_required: { status: 403, message: 'Please confirm it is you first.' },
  '2fa_setup_required': { status: 403, message: 'An account you belong to requires two-factor authentication. Set it up to continue.' },
  ip_not_allowed: { status: 403, message: 'Requests from this address are not allowed.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'That method is not allowed here.' },
  conflict: { status: 409, message: 'That conflicts with the current state.' },
  nothing_to_reset: { status: 409, message: 'This member has no two-factor method, backup code or trusted device to reset.' },
  owners_without_2fa: { status: 409, message: 'Every owner must set up two-factor authentication first.' },
  '2fa_required_by_account': { status: 409, message: 'An account you belong to requires two-factor authentication.' },
  challenge_expired: { status: 410, message: 'This sign-in attempt has expired. Please sign in again.' },
  payload_too_large: { status: 413, message: 'The request body is larger than 100 KB.' },
  method_not_allowed_by_policy: { status: 422, message: 'Your account does not allow that method.' },
  too_many_attempts: { status: 429, message: 'Too many attempts. Please wait before trying again.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  sms_delivery_failed: { status: 502, message: 'We could not send the text message. Please try again later.' },
  email_delivery_failed: { status: 502, message: 'We could not send the email. Please try again later.' },
  service_unavailable: { status: 503, message: 'This instance cannot take requests right now.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as { error: { code?: unknown } }).error?.code === 'string'
  );
}
