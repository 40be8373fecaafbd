// Sign in: email and password. The answer decides what comes next (signed in, challenge, or forced setup).
import { useState } from 'preact/hooks';
import type { LoginResponse } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { ErrorMessage, Notice } from '../components/alert.tsx';
import { useFocusOnMount } from '../components/use-focus.ts';

interface Props {
  onAnswer(answer: LoginResponse, email: string): void;
  notice?: string;
}

export function LoginPage({ onAnswer, notice }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focus = useFocusOnMount<HTMLInputElement>();

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      // A remembered device is the HttpOnly twofold_device cookie, which the browser sends itself: no page script
      // ever holds the token (one injected script could otherwise carry it away).
      const answer = await api<LoginResponse>('POST', '/auth/login', { body: { email, password, client: 'web' } });
      onAnswer(answer, email);
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'invalid_credentials'
        ? 'That email and password don’t match. Check them and try again.' : describeError(e));
      setBusy(false);
    }
  }

  return (
    <main class="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Twofold</h1>
      <Notice>{notice}</Notice>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="login-email">Email</label>
          <input id="login-email" ref={focus} type="email" name="email" autocomplete="username" required value={email}
            onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input id="login-password" type="password" name="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <ErrorMessage>{error}</ErrorMessage>
        <button type="submit" class="button button--block" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
