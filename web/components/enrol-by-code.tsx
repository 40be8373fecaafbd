// Set up text messages or email: (phone number), send a code, type it back; the sixth digit sends it.
import { useState } from 'preact/hooks';
import type { CodeSent, MethodEnabled } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { CodeInput } from './code-input.tsx';
import { ErrorMessage } from './alert.tsx';
import { ResendButton } from './resend-button.tsx';
import { useFocusOnMount } from './use-focus.ts';
import { direct, SubmitRow, useFirstCode, type WithReauth } from './enrolment-form.tsx';
import { TextField } from '../../shared/ui/text-field.tsx';

interface Props {
  method: 'sms' | 'email';
  bearer?: string;
  /** Masked number used before; offered again. */
  previousPhone?: string | null;
  onEnabled(result: MethodEnabled): void;
  onCancel?(): void;
  /** Runs each call, asking for the password first when it answers 403 reauth_required (adding a method while
   * 2FA is on needs a fresh proof); the Security page passes its useReauth().withReauth. */
  withReauth?: WithReauth;
}

export function EnrolByCode({ method, bearer, previousPhone, onEnabled, onCancel, withReauth = direct }: Props) {
  const [phone, setPhone] = useState('');
  const [sent, setSent] = useState<{ to: string; resendAt: number } | null>(null);
  const phoneFocus = useFocusOnMount<HTMLInputElement>(method === 'sms');
  const codeFocus = useFocusOnMount<HTMLInputElement>(sent !== null);
  const { code, setCode, verify, submit, error, setError, busy, setBusy } = useFirstCode({
    method,
    bearer,
    withReauth,
    onEnabled,
    codeInput: codeFocus,
    tooShort: 'Enter the 6-digit code we sent.',
    wrongCode: 'That code is not right. Check the latest message and try again.',
  });

  async function send(event?: Event, reuse = false) {
    event?.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body = method === 'sms' ? (reuse ? {} : { phone: phone.replace(/[\s()-]/g, '') }) : {};
      const answer = await withReauth(() => api<CodeSent>('POST', `/me/2fa/${method}`, { bearer, body }));
      setSent({ to: answer.sentTo, resendAt: Date.now() + answer.resendAfterSeconds * 1000 });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_request' && method === 'sms')
        setError('Enter a mobile number with its country code, like +61 412 345 678.');
      else setError(describeError(e));
    }
    setBusy(false);
  }

  const noun = method === 'sms' ? 'text message' : 'email';
  if (!sent) {
    return (
      <form class="stack" onSubmit={send} aria-label={`Set up ${noun}s`}>
        {method === 'sms' ? (
          <TextField
            id="setup-phone"
            label="Mobile number"
            inputRef={phoneFocus}
            type="tel"
            autocomplete="tel"
            inputmode="tel"
            required
            value={phone}
            onValue={setPhone}
            hint="Include the country code, for example +61 412 345 678."
            hintAbove
          />
        ) : (
          <p>We’ll email a 6-digit code to the address you sign in with.</p>
        )}
        <ErrorMessage>{error}</ErrorMessage>
        <SubmitRow
          disabled={busy}
          also={
            method === 'sms' &&
            previousPhone && (
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => send(undefined, true)}>
                Use {previousPhone} again
              </button>
            )
          }
          onCancel={onCancel}
        >
          Send code
        </SubmitRow>
      </form>
    );
  }
  return (
    <form class="stack" onSubmit={submit} aria-label={`Confirm your ${noun} code`}>
      <p role="status">
        We sent a code to <strong>{sent.to}</strong>.
      </p>
      <CodeInput
        id={`${method}-setup-code`}
        label="Enter the 6-digit code"
        value={code}
        onChange={setCode}
        inputRef={codeFocus}
        invalid={!!error}
        errorId={`${method}-setup-error`}
        onComplete={(value) => void verify(value)}
      />
      <ResendButton availableAt={sent.resendAt} onSend={() => send()} busy={busy} />
      <ErrorMessage id={`${method}-setup-error`}>{error}</ErrorMessage>
      <SubmitRow disabled={busy} onCancel={onCancel}>
        Turn on
      </SubmitRow>
    </form>
  );
}
