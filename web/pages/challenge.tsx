// The second step of signing in: one code field, the method switcher, send/resend for text and email,
// attempts left after a wrong code (the code stays, selected), the lockout with its clock time and countdown,
// and the remaining-backup-codes notice.
import { useEffect, useState } from 'preact/hooks';
import type { CodeSent, LoginAuthenticated, Method } from '../../shared/schemas.ts';
import { beginCodeSubmit } from '../../shared/typed-code.ts';
import { pageMarks } from '../../shared/contract.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { CodeInput } from '../components/code-input.tsx';
import { WaitUntil } from '../components/countdown.tsx';
import { MethodSwitcher } from '../components/method-switcher.tsx';
import { ResendButton } from '../components/resend-button.tsx';
import { ErrorMessage, Notice } from '../components/alert.tsx';
import { useFocusOnMount } from '../components/use-focus.ts';
import { methodTexts } from '../../shared/method-texts.ts';
import { firstMethod, SecurityKeySignIn } from '../components/security-key-sign-in.tsx';
import { RememberDevice } from '../components/remember-device.tsx';
import { SubmitBlock } from '../components/submit-block.tsx';

export interface ChallengeInfo {
  challengeId: string;
  methods: Method[];
  preferredMethod: Method;
  expiresAt: string;
}

interface Props {
  challenge: ChallengeInfo;
  email: string;
  onSignedIn(): void;
  /** Back to the password step, keeping the email; `message` says why. */
  onRestart(message: string): void;
}

export function wrongCodeMessage(attemptsRemaining: unknown): string {
  if (typeof attemptsRemaining !== 'number') return 'That code is not right. Check it and try again.';
  return `That code is not right. ${attemptsRemaining} attempt${attemptsRemaining === 1 ? '' : 's'} left.`;
}

export function ChallengePage({ challenge, email, onSignedIn, onRestart }: Props) {
  const [method, setMethod] = useState<Method>(() => firstMethod(challenge));
  const [code, setCode] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Partial<Record<Method, { to: string; resendAt: number }>>>({});
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [remaining, setRemaining] = useState<number | null>(null);
  const focus = useFocusOnMount<HTMLInputElement>(lockedUntil === null);
  const byCode = method === 'sms' || method === 'email';
  const digits = method === 'totp' || byCode;

  useEffect(() => {
    if (byCode && !sent[method]) void send(method);
    focus.current?.focus();
  }, [method]);

  function fail(e: unknown) {
    if (e instanceof ApiError && e.code === 'challenge_expired') {
      onRestart('That sign-in attempt expired. Please sign in again.');
      return;
    }
    if (e instanceof ApiError && e.code === 'too_many_attempts') {
      setLockedUntil(Date.now() + (e.retryAfterSeconds ?? 60) * 1000);
      setError('');
      return;
    }
    setError(e instanceof ApiError && e.code === 'invalid_code' ? wrongCodeMessage(e.detail.attemptsRemaining) : describeError(e));
  }

  async function send(which: Method) {
    setBusy(true);
    setError('');
    try {
      const answer = await api<CodeSent>('POST', `/auth/challenge/${encodeURIComponent(challenge.challengeId)}/send`, {
        body: { method: which },
      });
      setSent((s) => ({ ...s, [which]: { to: answer.sentTo, resendAt: Date.now() + answer.resendAfterSeconds * 1000 } }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'too_many_attempts' && e.retryAfterSeconds !== null) {
        setError(`A code was sent moments ago. You can ask for another in ${e.retryAfterSeconds} seconds.`);
      } else fail(e);
    }
    setBusy(false);
  }

  async function verify(event: Event) {
    const typed = beginCodeSubmit(event, code, { setError, setBusy });
    if (!typed) return;
    try {
      const answer = await api<LoginAuthenticated>('POST', `/auth/challenge/${encodeURIComponent(challenge.challengeId)}/verify`, {
        body: { method, code: typed, rememberDevice: remember },
      });
      if (typeof answer.backupCodesRemaining === 'number') {
        setRemaining(answer.backupCodesRemaining);
        return;
      }
      onSignedIn();
    } catch (e) {
      fail(e);
      setBusy(false);
      // The wrong code stays, selected: the next one typed or pasted replaces it.
      focus.current?.focus();
      focus.current?.select();
    }
  }

  function switchTo(next: Method) {
    setMethod(next);
    setCode('');
    setError('');
  }

  if (remaining !== null) {
    return (
      <main class="auth-card" aria-labelledby="remaining-title">
        <h1 id="remaining-title">You’re signed in</h1>
        <Notice tone={remaining <= 3 ? 'warning' : 'info'}>
          <span data-testid="backup-codes-remaining">
            You used a backup code. You have <strong>{remaining}</strong> backup code{remaining === 1 ? '' : 's'} left.
          </span>
          {remaining <= 3 && ' Create a new set in Security settings soon, so you don’t get locked out.'}
        </Notice>
        <button type="button" class="button button--block" onClick={onSignedIn}>
          Continue
        </button>
      </main>
    );
  }

  const prompt = methodTexts[method];
  const sentTo = sent[method];
  return (
    <main class="auth-card" aria-labelledby="challenge-title">
      <h1 id="challenge-title">{prompt.title}</h1>
      <p class="muted">
        Signing in as <strong>{email}</strong>
      </p>
      {lockedUntil !== null ? (
        <div class="stack">
          <div class="alert alert--error" role="alert" data-testid="lockout">
            Too many wrong codes. For your security, code entry is paused{' '}
            <WaitUntil until={lockedUntil} onDone={() => onRestart('You can try signing in again now.')} />.
          </div>
          <button type="button" class="button button--secondary button--block" onClick={() => onRestart('')}>
            Back to sign in
          </button>
        </div>
      ) : method === 'webauthn' ? (
        <SecurityKeySignIn challengeId={challenge.challengeId} email={email} onSignedIn={onSignedIn} onFailure={fail} />
      ) : (
        <form class="stack" onSubmit={verify} {...pageMarks({ user: email.toLowerCase(), method })}>
          <p class="hint code-status" role="status">
            {byCode ? (
              sentTo ? (
                <>
                  We sent a code to <strong>{sentTo.to}</strong>.
                </>
              ) : (
                'Sending your code…'
              )
            ) : (
              prompt.hint
            )}
          </p>
          <CodeInput
            id="challenge-code"
            label={prompt.label}
            value={code}
            onChange={setCode}
            kind={digits ? 'digits' : 'text'}
            inputRef={focus}
            invalid={!!error}
            errorId="challenge-error"
          />
          {byCode && <ResendButton availableAt={sentTo?.resendAt ?? null} busy={busy} onSend={() => void send(method)} />}
          <RememberDevice checked={remember} onCheck={setRemember} skips="the code" />
          <ErrorMessage id="challenge-error">{error}</ErrorMessage>
          <SubmitBlock busy={busy}>Verify</SubmitBlock>
        </form>
      )}
      <MethodSwitcher methods={challenge.methods} current={method} onSwitch={switchTo} disabled={lockedUntil !== null} />
    </main>
  );
}
