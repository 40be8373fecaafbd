// What the set-up forms share: the first code typed back to turn a method on (with the words for a short or wrong
// code, and the wrong code kept selected so the next replaces it), and the row of a submit button, any other
// buttons, and Cancel.
import type { ComponentChildren, RefObject } from 'preact';
import { useState } from 'preact/hooks';
import type { MethodEnabled } from '../../shared/schemas.ts';
import { api, describeError } from '../api-client.ts';

export type WithReauth = <T>(call: () => Promise<T>) => Promise<T>;
/** Outside the Security page nothing asks for the password again: the call runs as it is. */
export const direct: WithReauth = (call) => call();

interface VerifyOptions {
  method: 'totp' | 'sms' | 'email';
  bearer?: string;
  withReauth: WithReauth;
  onEnabled(result: MethodEnabled): void;
  codeInput: RefObject<HTMLInputElement | null>;
  tooShort: string;
  wrongCode: string;
}

export function useFirstCode({ method, bearer, withReauth, onEnabled, codeInput, tooShort, wrongCode }: VerifyOptions) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function verify(value: string) {
    if (value.length !== 6) {
      setError(tooShort);
      return;
    }
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      onEnabled(await withReauth(() => api<MethodEnabled>('POST', `/me/2fa/${method}/verify`, { bearer, body: { code: value } })));
    } catch (e) {
      setError(describeError(e, { invalid_code: wrongCode }));
      setBusy(false);
      codeInput.current?.select();
    }
  }
  /** The code form's submit: checks the code typed so far. */
  function submit(event: Event) {
    event.preventDefault();
    void verify(code);
  }
  return { code, setCode, verify, submit, error, setError, busy, setBusy };
}

interface SubmitRowProps {
  children: ComponentChildren;
  disabled: boolean;
  /** Buttons between the submit button and Cancel. */
  also?: ComponentChildren;
  onCancel?: () => void;
}

export function SubmitRow({ children, disabled, also, onCancel }: SubmitRowProps) {
  return (
    <div class="button-row">
      <button type="submit" class="button" disabled={disabled}>
        {children}
      </button>
      {also}
      {onCancel && (
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
