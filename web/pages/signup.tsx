// Create an account: name, email, password, and the team's name (optional). The API emails a verification
// link; the new person is then signed in with the same password and sent to "Check your email".
import { useState } from 'preact/hooks';
import type { LoginResponse } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { ErrorMessage } from '../components/alert.tsx';
import { SignInLink } from '../components/sign-in-link.tsx';
import { useFocusOnMount } from '../components/use-focus.ts';
import { TextField } from '../../shared/ui/text-field.tsx';
import { NameField, NewPasswordField } from '../components/account-fields.tsx';
import { SubmitBlock } from '../components/submit-block.tsx';

interface Props {
  /** The account exists; `answer` is the sign-in that followed (null if it did not sign in). */
  onCreated(email: string, answer: LoginResponse | null): void;
  /** "Sign in instead", with the email typed so far. */
  onSignIn(email: string): void;
}

export function SignupPage({ onCreated, onSignIn }: Props) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [accountName, setAccountName] = useState('');
  const [error, setError] = useState<{ text: string; taken?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const focus = useFocusOnMount<HTMLInputElement>();

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/auth/signup', {
        body: { name, email, password, ...(accountName.trim() ? { accountName: accountName.trim() } : {}) },
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict')
        setError({ text: 'There is already a Twofold account with that email.', taken: true });
      else setError({ text: describeError(e) });
      setBusy(false);
      return;
    }
    let answer: LoginResponse | null = null;
    try {
      answer = await api<LoginResponse>('POST', '/auth/login', { body: { email, password, client: 'web' } });
    } catch {
      /* created but not signed in: "Check your email" still applies */
    }
    onCreated(email, answer);
  }

  return (
    <main class="auth-card" aria-labelledby="signup-title">
      <h1 id="signup-title">Create your Twofold account</h1>
      <form class="stack" onSubmit={submit}>
        <NameField id="signup-name" inputRef={focus} name="name" value={name} onValue={setName} />
        <TextField
          id="signup-email"
          label="Work email"
          type="email"
          name="email"
          autocomplete="username"
          required
          maxLength={254}
          value={email}
          onValue={setEmail}
          hint="We’ll send a link to check it’s yours."
        />
        <NewPasswordField
          id="signup-password"
          label="Password"
          name="password"
          value={password}
          onValue={setPassword}
          hint="At least 8 characters. A few unrelated words make a strong one that is easy to remember."
        />
        <TextField
          id="signup-account"
          label={
            <>
              Team or company name <span class="muted">(optional)</span>
            </>
          }
          type="text"
          name="organization"
          autocomplete="organization"
          maxLength={100}
          value={accountName}
          onValue={setAccountName}
          hint="You’ll be its owner, and can invite others to it."
        />
        <ErrorMessage>
          {error && (
            <>
              {error.text}
              {error.taken && (
                <>
                  {' '}
                  <SignInLink email={email} onSignIn={onSignIn}>
                    Sign in instead
                  </SignInLink>
                </>
              )}
            </>
          )}
        </ErrorMessage>
        <SubmitBlock busy={busy} busyText="Creating your account…">
          Create account
        </SubmitBlock>
      </form>
      <p class="auth-card__foot">
        Already have an account?{' '}
        <SignInLink email={email} onSignIn={onSignIn}>
          Sign in
        </SignInLink>
      </p>
    </main>
  );
}
