// Set up an authenticator app: scan the QR code (or copy the key), then prove it with the first code, sent as
// soon as its sixth digit is in. A wrong code stays in the field, selected, so the next one replaces it.
import { useEffect, useState } from 'preact/hooks';
import type { MethodEnabled, TotpEnrollment } from '../../shared/schemas.ts';
import { pageMarks } from '../../shared/contract.ts';
import { api, describeError } from '../api-client.ts';
import { CodeInput } from './code-input.tsx';
import { ErrorMessage } from './alert.tsx';
import { SecretKey } from './secret-key.tsx';
import { Skeleton } from './skeleton.tsx';
import { useFocusOnMount } from './use-focus.ts';
import { direct, useFirstCode, SubmitRow, type WithReauth } from './enrolment-form.tsx';

interface Props {
  bearer?: string;
  onEnabled(result: MethodEnabled): void;
  onCancel?(): void;
  /** Runs each call, asking for the password first when it answers 403 reauth_required (adding a method while
   * 2FA is on needs a fresh proof); the Security page passes its useReauth().withReauth. */
  withReauth?: WithReauth;
}

export function EnrolTotp({ bearer, onEnabled, onCancel, withReauth = direct }: Props) {
  const [enrolment, setEnrolment] = useState<TotpEnrollment | null>(null);
  const focus = useFocusOnMount<HTMLInputElement>(enrolment !== null);
  const { code, setCode, verify, submit, error, setError, busy } = useFirstCode({
    method: 'totp',
    bearer,
    withReauth,
    onEnabled,
    codeInput: focus,
    tooShort: 'Enter the 6-digit code from your app.',
    wrongCode: 'That code did not match. Check the time on your phone is right, wait for a new code and try again.',
  });

  useEffect(() => {
    withReauth(() => api<TotpEnrollment>('POST', '/me/2fa/totp', { bearer, body: {} })).then(setEnrolment, (e) =>
      setError(describeError(e)),
    );
  }, []);

  return (
    <form
      class="stack"
      onSubmit={submit}
      aria-label="Set up an authenticator app"
      {...pageMarks({ otpauthUri: enrolment?.otpauthUri, user: enrolment ? accountOf(enrolment.otpauthUri) : undefined })}
    >
      <ol class="steps">
        <li>
          <p>
            <strong>Scan this QR code</strong> with an authenticator app such as Google Authenticator, 1Password or Authy.
          </p>
          <div class="qr">
            {enrolment ? (
              <img
                src={`data:image/svg+xml;base64,${btoa(enrolment.qrSvg)}`}
                alt="QR code for your authenticator app"
                width={192}
                height={192}
              />
            ) : (
              <Skeleton label="Loading the QR code" shape="block" />
            )}
          </div>
          <p class="hint">Can’t scan it? Type this key into the app instead:</p>
          <p>{enrolment ? <SecretKey secret={enrolment.secret} /> : '\u00a0'}</p>
        </li>
        <li>
          <CodeInput
            id="totp-setup-code"
            label="Enter the 6-digit code the app shows"
            value={code}
            onChange={setCode}
            inputRef={focus}
            disabled={!enrolment}
            invalid={!!error}
            errorId="totp-setup-error"
            onComplete={(value) => void verify(value)}
          />
        </li>
      </ol>
      <ErrorMessage id="totp-setup-error">{error}</ErrorMessage>
      <SubmitRow disabled={busy || !enrolment} onCancel={onCancel}>
        Turn on
      </SubmitRow>
    </form>
  );
}

/** The account name of an otpauth:// URI (`Issuer:account`): the user the Twofold extension keeps the authenticator for. */
function accountOf(uri: string): string {
  const label = decodeURIComponent(uri.slice('otpauth://totp/'.length).split('?')[0] ?? '');
  return label.slice(label.indexOf(':') + 1).toLowerCase();
}
