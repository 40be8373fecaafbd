// The emailed invitation (`/accept-invite#token=…`). The token is read from the fragment, cleared from the
// address bar, and kept in this tab's sessionStorage (never in a URL a server sees) while the invitee signs in.
// The page says who invites whom to what, and in plain words what the account may do to them; then, by who is
// here: a new person sets a name and password; the invited user, signed in and verified, joins with one button;
// anyone else is told so and offered a sign-out; an existing user who is signed out signs in and comes back.
import { useEffect, useState } from 'preact/hooks';
import type { LoginResponse } from '../../shared/schemas.ts';
import { api, ApiError, describeError } from '../api-client.ts';
import { ErrorMessage } from '../components/alert.tsx';
import { SignInLink } from '../components/sign-in-link.tsx';
import { LinkProblem } from '../components/link-problem.tsx';
import { Skeleton } from '../components/skeleton.tsx';
import type { InvitationPreview, User } from '../../shared/schemas.ts';
import { accountMayWords, formatDate, roleNames, withArticle } from '../labels.ts';
import { forgetInviteToken, keepInviteToken, readInviteToken, returnToInviteAfterSignIn, takeHashToken } from '../link-token.ts';
import { NameField, NewPasswordField } from '../components/account-fields.tsx';
import { SubmitBlock } from '../components/submit-block.tsx';

export type JoinAnswer = LoginResponse & { user?: User };

interface Props {
  /** Who is signed in here, if anyone. */
  user: User | null;
  /** A new person's account exists and joined: the answer is a login answer (signed in, or 2FA setup first). */
  onJoined(answer: JoinAnswer, preview: InvitationPreview): void;
  /** The signed-in user joined: re-read the session (its accounts changed). */
  onAccepted(): void;
  onSignIn(email: string): void;
  onSignOut(): void;
  onContinue(): void;
  onCheckEmail(): void;
}

type State =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'expired' }
  | { kind: 'failed'; message: string }
  | { kind: 'preview'; token: string; preview: InvitationPreview }
  | { kind: 'joined'; preview: InvitationPreview };

export function AcceptInvitePage(props: Props) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    const fromLink = takeHashToken();
    if (fromLink) keepInviteToken(fromLink);
    const token = fromLink ?? readInviteToken();
    if (!token) {
      setState({ kind: 'missing' });
      return;
    }
    api<InvitationPreview>('POST', '/auth/invitation', { body: { inviteToken: token } }).then(
      (preview) => setState({ kind: 'preview', token, preview }),
      (e) => {
        if (e instanceof ApiError && e.code === 'challenge_expired') {
          forgetInviteToken();
          setState({ kind: 'expired' });
        } else setState({ kind: 'failed', message: describeError(e) });
      },
    );
  }, []);

  if (state.kind === 'loading') {
    return (
      <main class="auth-card auth-card--wide" aria-labelledby="invite-title">
        <h1 id="invite-title">Opening your invitation…</h1>
        <Skeleton label="Loading the invitation" shape="card" rows={4} />
      </main>
    );
  }
  if (state.kind !== 'preview' && state.kind !== 'joined') {
    return (
      <LinkProblem
        titleId="invite-title"
        problem={state}
        expiredTitle="This invitation can’t be used"
        failedTitle="We could not open this invitation"
        whyExpired="It has expired (invitations last 7 days), was withdrawn, or was already accepted. Ask the person who invited you to send a new one."
        codeName="invitation"
      >
        {props.user ? (
          <button type="button" class="button button--secondary button--block" onClick={props.onContinue}>
            Go to Twofold
          </button>
        ) : (
          <SignInLink email="" onSignIn={props.onSignIn} class="button button--secondary button--block">
            Sign in
          </SignInLink>
        )}
      </LinkProblem>
    );
  }
  const { preview } = state;
  if (state.kind === 'joined') {
    return (
      <main class="auth-card" aria-labelledby="invite-title">
        <h1 id="invite-title" tabIndex={-1}>
          You joined {preview.accountName}
        </h1>
        <p class="notice notice--success">
          You are now {withArticle(roleNames[preview.role].toLowerCase())} of <strong>{preview.accountName}</strong>.
        </p>
        <button type="button" class="button button--block" onClick={props.onContinue}>
          Continue to Twofold
        </button>
      </main>
    );
  }
  return (
    <main class="auth-card auth-card--wide" aria-labelledby="invite-title">
      <h1 id="invite-title">Join {preview.accountName} on Twofold</h1>
      <InvitationSummary preview={preview} />
      <section class="stack invite-action" aria-label="Accept the invitation">
        <InviteAction
          {...props}
          token={state.token}
          preview={preview}
          onJoinedHere={(answer) => {
            forgetInviteToken();
            setState({ kind: 'joined', preview });
            if (answer) props.onJoined(answer, preview);
            else props.onAccepted();
          }}
        />
      </section>
    </main>
  );
}

/** Who invites whom, to what, and what the account may then do to them. */
function InvitationSummary({ preview }: { preview: InvitationPreview }) {
  const may = preview.accountMay.map((code) => accountMayWords[code] ?? code.replace(/_/g, ' '));
  return (
    <div class="stack" data-testid="invitation-preview">
      <p>
        <strong>{preview.invitedBy}</strong>
        {preview.invitedByEmail && <> ({preview.invitedByEmail})</>} invited <strong>{preview.email}</strong> to join{' '}
        <strong>{preview.accountName}</strong> as {withArticle(roleNames[preview.role].toLowerCase())}.
      </p>
      <div class="help-box" data-testid="account-may">
        <h2>What {preview.accountName} can do if you join</h2>
        <p>Its owners and admins will be able to:</p>
        <ul>
          {may.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
        {preview.managed ? (
          <p class="hint">
            Your Twofold sign-in will be created by joining, so {preview.accountName} looks after it: this is how your company can help if
            you lose your phone.
          </p>
        ) : (
          <p class="hint">
            They <strong>cannot</strong> reset your two-factor authentication or sign you in with a recovery code: only the account you
            signed up with can.
          </p>
        )}
      </div>
      <p class="hint">This invitation expires {formatDate(preview.expiresAt)}.</p>
    </div>
  );
}

/** Joined: `answer` is a new person's login answer; none for a signed-in user who joined. */
type JoinedHere = (answer?: JoinAnswer) => void;

function InviteAction(props: Props & { token: string; preview: InvitationPreview; onJoinedHere: JoinedHere }) {
  const { user, preview } = props;
  if (!user) return preview.existingUser ? <SignInFirst {...props} /> : <NewPersonForm {...props} />;
  const same = user.email.toLowerCase() === preview.email.toLowerCase();
  if (!same) {
    return (
      <div class="notice notice--warning" data-testid="wrong-user">
        <p>
          You’re signed in as <strong>{user.email}</strong>, but this invitation is for <strong>{preview.email}</strong>. To accept it, sign
          out, then sign in {preview.existingUser ? '' : 'or create an account '}as {preview.email}.
        </p>
        <a
          href="/accept-invite"
          onClick={(e) => {
            e.preventDefault();
            props.onSignOut();
          }}
        >
          Sign out of {user.email}
        </a>
      </div>
    );
  }
  if (user.emailVerified === false) {
    return (
      <div class="notice notice--warning">
        <p>Please verify your email before you join: we sent you a link when you signed up.</p>
        <button type="button" class="button button--secondary" onClick={props.onCheckEmail}>
          Verify my email
        </button>
      </div>
    );
  }
  return <JoinButton token={props.token} preview={preview} onJoinedHere={props.onJoinedHere} />;
}

function JoinButton({ token, preview, onJoinedHere }: { token: string; preview: InvitationPreview; onJoinedHere: JoinedHere }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function join() {
    setBusy(true);
    setError('');
    try {
      await api('POST', '/auth/accept-invite', { body: { inviteToken: token } });
      onJoinedHere();
    } catch (e) {
      setError(describeError(e, { conflict: `You are already a member of ${preview.accountName}.` }));
      setBusy(false);
    }
  }
  return (
    <>
      <ErrorMessage>{error}</ErrorMessage>
      <button type="button" class="button button--block" disabled={busy} onClick={join}>
        Join {preview.accountName}
      </button>
    </>
  );
}

/** Signs in as the invited address, then comes back here to accept. */
function SignInToAccept({ email, onSignIn, class: className }: { email: string; onSignIn(email: string): void; class?: string }) {
  return (
    <SignInLink email={email} onSignIn={onSignIn} before={returnToInviteAfterSignIn} class={className}>
      Sign in to accept
    </SignInLink>
  );
}

function SignInFirst({ preview, onSignIn }: { preview: InvitationPreview; onSignIn(email: string): void }) {
  return (
    <>
      <p>
        You already have a Twofold account as <strong>{preview.email}</strong>. Sign in, and you’ll come straight back here to accept.
      </p>
      <SignInToAccept email={preview.email} onSignIn={onSignIn} class="button button--block" />
    </>
  );
}

function NewPersonForm({
  token,
  preview,
  onJoinedHere,
  onSignIn,
}: Props & { token: string; preview: InvitationPreview; onJoinedHere: JoinedHere }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ text: string; signIn?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onJoinedHere(await api<JoinAnswer>('POST', '/auth/accept-invite', { body: { inviteToken: token, name, password } }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict')
        setError({ text: `${preview.email} already has a Twofold account.`, signIn: true });
      else if (e instanceof ApiError && e.code === 'challenge_expired')
        setError({ text: 'This invitation can no longer be used. Ask for a new one.' });
      else setError({ text: describeError(e) });
      setBusy(false);
    }
  }
  return (
    <form class="stack" onSubmit={submit}>
      <p>Create your sign-in to accept. The invitation proves the address is yours.</p>
      <input type="email" name="email" autocomplete="username" value={preview.email} readOnly hidden />
      <NameField id="invite-name" value={name} onValue={setName} />
      <NewPasswordField
        id="invite-password"
        label="Choose a password"
        value={password}
        onValue={setPassword}
        hint={<>At least 8 characters. You’ll sign in as {preview.email}.</>}
      />
      <ErrorMessage>
        {error && (
          <>
            {error.text}
            {error.signIn && (
              <>
                {' '}
                <SignInToAccept email={preview.email} onSignIn={onSignIn} />
              </>
            )}
          </>
        )}
      </ErrorMessage>
      <SubmitBlock busy={busy} busyText="Joining…">
        Create account and join {preview.accountName}
      </SubmitBlock>
    </form>
  );
}
