// Sign in: email and password. The answer decides what comes next (signed in, challenge, or forced setup).
// The email may arrive filled in (back from an expired challenge, a verified email, an invitation); a lockout
// says until when, counting down.
import { useState } from 'preact/hooks';
import type { LoginResponse } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { ErrorMessage, Notice } from '../components/alert.tsx';
import { WaitUntil } from '../components/countdown.tsx';
import { useFocusOnMount } from '../components/use-focus.ts';
import { followLink } from '../router.ts';
import { TextField } from '../../shared/ui/text-field.tsx';
import { SubmitBlock } from '../components/submit-block.tsx';

export interface LoginNotice {
  text: string;
  tone?: 'info' | 'warning' | 'success';
}

interface Props {
  onAnswer(answer: LoginResponse, email: string): void;
  notice?: LoginNotice;
  email?: string;
}

export function LoginPage({ onAnswer, notice, email: initialEmail = '' }: Props) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [locked, setLocked] = useState<{ until: number; why: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const emailFocus = useFocusOnMount<HTMLInputElement>(!initialEmail);
  const passwordFocus = useFocusOnMount<HTMLInputElement>(!!initialEmail);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    setLocked(null);
    try {
      // A remembered device is the HttpOnly twofold_device cookie, which the browser sends itself: no page script
      // ever holds the token (one injected script could otherwise carry it away).
      const answer = await api<LoginResponse>('POST', '/auth/login', { body: { email, password, client: 'web' } });
      onAnswer(answer, email);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'too_many_attempts' && e.retryAfterSeconds !== null) {
        setLocked({ until: Date.now() + e.retryAfterSeconds * 1000, why: firstSentence(e.message) });
      } else {
        setError(describeError(e, { invalid_credentials: 'That email and password don’t match. Check them and try again.' }));
      }
      setBusy(false);
    }
  }

  return (
    <main class="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Twofold</h1>
      <Notice tone={notice?.tone}>{notice?.text}</Notice>
      <form class="stack" onSubmit={submit}>
        <TextField
          id="login-email"
          label="Email"
          inputRef={emailFocus}
          type="email"
          name="email"
          autocomplete="username"
          required
          value={email}
          onValue={setEmail}
        />
        <TextField
          id="login-password"
          label="Password"
          inputRef={passwordFocus}
          type="password"
          name="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <ErrorMessage>
          {locked ? (
            <span data-testid="login-locked">
              {locked.why} For your security, signing in is paused <WaitUntil until={locked.until} onDone={() => setLocked(null)} />.
            </span>
          ) : (
            error
          )}
        </ErrorMessage>
        <SubmitBlock busy={busy} busyText="Signing in…">
          Sign in
        </SubmitBlock>
      </form>
      <p class="auth-card__foot">
        New to Twofold?{' '}
        <a href="/signup" onClick={followLink}>
          Create an account
        </a>
      </p>
    </main>
  );
}

function firstSentence(text: string): string {
  const end = text.indexOf('.');
  return end === -1 ? `${text}.` : text.slice(0, end + 1);
}
