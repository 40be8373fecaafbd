// Step two: the code, by any method the API offered. A kept authenticator fills the app code by itself (after
// the passphrase, when its vault is locked); when that code turns out spent (it just turned 2FA on in the web
// app, say), the next step's code is filled instead. The hint says where the code came from only while it does.
import { useEffect, useState } from 'preact/hooks';
import type { Method } from '../../../shared/schemas.ts';
import { pageMarks } from '../../../shared/contract.ts';
import { send } from '../browser-api.ts';
import type { DialerView, PendingChallenge } from '../messages.ts';
import { ErrorAlert, apiCodeOf, describeFailure } from '../ui/errors.tsx';
import { UnlockForm } from '../ui/unlock-form.tsx';
import { methodTexts } from '../../../shared/method-texts.ts';
import { Checkbox } from '../../../shared/ui/checkbox.tsx';
import { beginCodeSubmit } from '../../../shared/typed-code.ts';
import { SecurityKeyHandoff } from './security-key-handoff.tsx';

const FILLED = 'Filled from the authenticator kept in this browser.';
const FILLED_NEXT = 'The code before was already used, so this is the next one, filled from the authenticator kept in this browser.';

interface Props {
  view: DialerView;
  pending: PendingChallenge;
  onView(view: DialerView): void;
}

export function Challenge({ pending, onView }: Props) {
  const [method, setMethod] = useState<Method>(pending.preferredMethod);
  const [code, setCode] = useState('');
  const [remember, setRemember] = useState(false);
  const [sentTo, setSentTo] = useState<Partial<Record<Method, { to: string; resendAt: number }>>>({});
  const [filled, setFilled] = useState<{ code: string; next: boolean } | null>(null);
  const [locked, setLocked] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [, tick] = useState(0);
  const byMessage = method === 'sms' || method === 'email';
  const digits = method === 'totp' || byMessage;

  async function fill(next: boolean): Promise<boolean> {
    try {
      const answer = await send('auth:dialer-code', { next });
      setLocked(answer.locked);
      if (!answer.code) return false;
      setCode(answer.code);
      setFilled({ code: answer.code, next });
      return true;
    } catch {
      return false;
    }
  }

  useEffect(() => {
    setCode('');
    setError('');
    setFilled(null);
    if (method === 'totp' && pending.canFill) void fill(false);
  }, [method]);

  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  async function sendCode(which: 'sms' | 'email') {
    setBusy(true);
    setError('');
    try {
      const answer = await send('auth:send-code', { method: which });
      setSentTo((s) => ({ ...s, [which]: { to: answer.sentTo, resendAt: Date.now() + answer.resendAfterSeconds * 1000 } }));
    } catch (e) {
      setError(describeFailure(e));
    }
    setBusy(false);
  }

  async function verify(event: Event) {
    const typed = beginCodeSubmit(event, code, { setError, setBusy });
    if (!typed) return;
    try {
      onView(await send('auth:verify', { method, code: typed, rememberDevice: remember }));
    } catch (e) {
      if (apiCodeOf(e) === 'challenge_expired') onView(await send('auth:cancel', {}));
      // A filled code refused: its step was spent a moment ago. The API takes the next step's code at once.
      const spent = apiCodeOf(e) === 'invalid_code' && filled?.code === typed && !filled.next;
      if (!spent || !(await fill(true))) {
        setError(describeFailure(e));
        setCode('');
      }
      setBusy(false);
    }
  }

  async function cancel() {
    onView(await send('auth:cancel', {}));
  }

  if (method === 'webauthn') return <SecurityKeyHandoff pending={pending} onSwitch={setMethod} onCancel={() => void cancel()} />;

  const sent = byMessage ? sentTo[method] : undefined;
  const wait = sent ? Math.max(0, Math.ceil((sent.resendAt - Date.now()) / 1000)) : 0;
  const hint =
    filled && code === filled.code
      ? filled.next
        ? FILLED_NEXT
        : FILLED
      : sent
        ? `We sent a code to ${sent.to}.`
        : methodTexts[method].hint;
  return (
    <>
      <h1 id="challenge-title">Confirm it’s you</h1>
      <p class="hint">
        Signing in as <strong>{pending.email}</strong>
      </p>
      {locked && method === 'totp' && (
        <UnlockForm
          why="Your kept authenticator is locked. Type your passphrase to fill the code."
          onUnlocked={() => {
            setLocked(false);
            void fill(false);
          }}
        />
      )}
      <form class="stack" onSubmit={verify} aria-labelledby="challenge-title" {...pageMarks({ method })}>
        {pending.methods.length > 1 && (
          // biome-ignore lint/a11y/useSemanticElements: a row of buttons, not form fields; a fieldset would add form semantics and styles
          <div class="methods" role="group" aria-label="Choose how to confirm">
            {pending.methods.map((m) => (
              <button type="button" key={m} aria-pressed={m === method} onClick={() => setMethod(m)}>
                {methodTexts[m].dialerName}
              </button>
            ))}
          </div>
        )}
        <div>
          <label for="code">{methodTexts[method].dialerLabel}</label>
          <input
            id="code"
            name="code"
            type="text"
            autocomplete="one-time-code"
            inputMode={digits ? 'numeric' : 'text'}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            maxLength={digits ? 14 : 48}
            spellcheck={false}
            autocapitalize="off"
            required
            aria-describedby="code-hint"
            data-testid="dialer-code"
          />
          <p class="hint" id="code-hint" data-testid="code-hint">
            {hint}
          </p>
        </div>
        {byMessage && (
          <button type="button" class="button button--secondary" disabled={busy || wait > 0} onClick={() => void sendCode(method)}>
            {sent ? (wait > 0 ? `Resend in ${wait} s` : 'Resend code') : 'Send code'}
          </button>
        )}
        <Checkbox id="remember" label="Remember this browser" checked={remember} onCheck={setRemember} />
        <ErrorAlert message={error} />
        <div class="row">
          <button type="submit" class="button grow" disabled={busy}>
            Verify
          </button>
          <button type="button" class="button button--secondary" onClick={() => void cancel()}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
