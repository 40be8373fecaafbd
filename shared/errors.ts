// The closed catalogue of error codes the API answers with. The API renders them; the web app and the
// extension read them. Adding a code means adding it here, under its status, with a default sentence.
const codesByStatus = {
  400: { invalid_request: 'The request is not valid.' },
  401: {
    invalid_credentials: 'That email and password do not match.',
    unauthenticated: 'Please sign in.',
    invalid_code: 'That code is not right.',
  },
  403: {
    forbidden: 'You are not allowed to do that.',
    reauth_required: 'Please confirm it is you first.',
    '2fa_setup_required': 'An account you belong to requires two-factor authentication. Set it up to continue.',
    ip_not_allowed: 'Requests from this address are not allowed.',
  },
  404: { not_found: 'Not found.' },
  405: { method_not_allowed: 'That method is not allowed here.' },
  409: {
    conflict: 'That conflicts with the current state.',
    nothing_to_reset: 'This member has no two-factor method, backup code or trusted device to reset.',
    owners_without_2fa: 'Every owner must set up two-factor authentication first.',
    '2fa_required_by_account': 'An account you belong to requires two-factor authentication.',
  },
  410: { challenge_expired: 'This sign-in attempt has expired. Please sign in again.' },
  413: { payload_too_large: 'The request body is larger than 100 KB.' },
  422: { method_not_allowed_by_policy: 'Your account does not allow that method.' },
  429: { too_many_attempts: 'Too many attempts. Please wait before trying again.' },
  500: { internal_error: 'Something went wrong on our side.' },
  502: {
    sms_delivery_failed: 'We could not send the text message. Please try again later.',
    email_delivery_failed: 'We could not send the email. Please try again later.',
  },
  503: { service_unavailable: 'This instance cannot take requests right now.' },
} as const satisfies Record<number, Record<string, string>>;

type CodesByStatus = typeof codesByStatus;
export type ErrorCode = { [S in keyof CodesByStatus]: keyof CodesByStatus[S] }[keyof CodesByStatus];

/** Each code with its status and its default sentence. */
export const errorCatalogue = Object.fromEntries(
  Object.entries(codesByStatus).flatMap(([status, messages]) =>
    Object.entries(messages).map(([code, message]) => [code, { status: Number(status), message }]),
  ),
) as Record<ErrorCode, { status: number; message: string }>;

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
