// What the set-up forms share: the first code typed back to turn a method on (with the words for a short or wrong
// code, and the wrong code kept selected so the next replaces it), and the row of a submit button and Cancel.
import type { ComponentChildren, RefObject } from 'preact';
import { useState } from 'preact/hooks';
import type { MethodEnabled } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';

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
      setError(e instanceof ApiError && e.code === 'invalid_code' ? wrongCode : describeError(e));
      setBusy(false);
      codeInput.current?.select();
    }
  }
  return { verify, error, setError, busy, setBusy };
}

export function SubmitRow({ children, disabled, onCancel }: { children: ComponentChildren; disabled: boolean; onCancel?: () => void }) {
  return (
    <div class="button-row">
      <button type="submit" class="button" disabled={disabled}>
        {children}
      </button>
      {onCancel && (
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
