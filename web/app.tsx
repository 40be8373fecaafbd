// The app's states: checking the session, signing in (password, challenge), forced setup, signed in; the public
// pages of emailed links (create account, check your email, verify, accept an invitation); and "cannot reach
// Twofold", which is never mistaken for being signed out.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import type { EnrollableMethod, LoginResponse, RequiredBy, SessionResponse, TwoFactorStatus } from '../shared/schemas.ts';
import { api, ApiError, onApiError } from './api-client.ts';
import { SESSION_EVENT } from '../shared/contract.ts';
import { navigate, usePath } from './router.ts';
import { LoginPage, type LoginNotice } from './pages/login.tsx';
import { ChallengePage, type ChallengeInfo } from './pages/challenge.tsx';
import { RECOVERED_NOTICE, SetupPage, type SetupInfo } from './pages/setup.tsx';
import { SecurityPage } from './pages/security.tsx';
import { SignupPage } from './pages/signup.tsx';
import { CheckEmailPage } from './pages/check-email.tsx';
import { VerifyEmailPage } from './pages/verify-email.tsx';
import { AcceptInvitePage, type JoinAnswer } from './pages/accept-invite.tsx';
import { Header, isManager } from './components/header.tsx';
import { ConnectionBanner, Unreachable } from './components/connection-banner.tsx';
import { Skeleton } from './components/skeleton.tsx';
import { onReconnect, watchConnection } from './connection.ts';
import { takeReturnToInvite } from './link-token.ts';
import { takeHandoff } from './handoff.ts';
import { GraceBanner } from './components/grace-banner.tsx';
import { chooseSetupLater, choseSetupLater } from './setup-later.ts';
import { signedOutText } from './labels.ts';

type Phase =
  | { kind: 'loading' }
  | { kind: 'unreachable' }
  | { kind: 'login'; notice?: LoginNotice; email?: string }
  | { kind: 'challenge'; challenge: ChallengeInfo; email: string }
  | { kind: 'setup'; setup: SetupInfo; grace?: Grace }
  | { kind: 'signed-in'; session: SessionResponse };

/** A requirement with a due date not reached yet: setup is offered, with "set up later". */
interface Grace {
  dueBy: string;
  session: SessionResponse;
}

/** Pages of emailed links and sign-up: shown whether or not someone is signed in. */
const publicPaths = new Set(['/signup', '/check-email', '/verify-email', '/accept-invite']);

function setupFromError(error: ApiError): SetupInfo {
  return {
    allowedMethods: (error.detail.allowedMethods as EnrollableMethod[] | undefined) ?? ['totp', 'sms', 'email'],
    requiredBy: (error.detail.requiredBy as RequiredBy[] | undefined) ?? [],
  };
}

export function App() {
  const [phase, setPhase] = useState<Phase>(() => {
    const handoff = takeHandoff();
    return handoff ? { kind: 'challenge', ...handoff } : { kind: 'loading' };
  });
  const phaseRef = useRef(phase);
  phaseRef.current = phase;
  const path = usePath();
  const linkKey = useLinkKey();

  /** Reads the session and settles the phase. `setupNotice` is shown if the session turns out to need setup. */
  async function refresh(setupNotice?: string) {
    try {
      const session = await api<SessionResponse>('GET', '/session');
      if (session.twoFactorSetupRequired) {
        const base = { email: session.user.email, notice: setupNotice };
        try {
          const status = await api<TwoFactorStatus>('GET', '/me/2fa');
          setPhase({ kind: 'setup', setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy, ...base } });
        } catch (e) {
          if (e instanceof ApiError && e.code === '2fa_setup_required')
            setPhase({ kind: 'setup', setup: { ...setupFromError(e), ...base } });
          else throw e;
        }
        return;
      }
      // In a grace period: offer setup once (and whenever /setup is asked for), with a way to go on until the date.
      const dueBy = session.twoFactorSetupDueBy;
      if (dueBy && (location.pathname === '/setup' || !choseSetupLater(dueBy))) {
        const status = await api<TwoFactorStatus>('GET', '/me/2fa');
        setPhase({
          kind: 'setup',
          setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy, email: session.user.email, notice: setupNotice },
          grace: { dueBy, session },
        });
        return;
      }
      setPhase({ kind: 'signed-in', session });
    } catch (e) {
      const current = phaseRef.current.kind;
      // No answer is not a sign-out: keep what is on screen (or say so) and let the connection retry.
      if (e instanceof ApiError && e.unreachable) {
        if (current === 'loading') setPhase({ kind: 'unreachable' });
        return;
      }
      if (current === 'setup') return;
      if (e instanceof ApiError && e.code === 'unauthenticated') {
        setPhase({
          kind: 'login',
          notice: e.reason ? { text: signedOutText(e.reason), tone: 'warning' } : undefined,
          email: emailOf(phaseRef.current),
        });
      } else {
        setPhase({ kind: 'login', notice: e instanceof ApiError ? { text: e.message, tone: 'warning' } : undefined });
      }
    }
  }

  useEffect(() => {
    const stopWatching = watchConnection();
    if (phaseRef.current.kind !== 'challenge') void refresh();
    const stopListening = onApiError((error) => {
      if (error.code === '2fa_setup_required') setPhase({ kind: 'setup', setup: setupFromError(error) });
      else if (error.code === 'unauthenticated' && phaseRef.current.kind === 'signed-in') {
        setPhase({ kind: 'login', notice: { text: signedOutText(error.reason), tone: 'warning' }, email: emailOf(phaseRef.current) });
      }
    });
    const stopReconnect = onReconnect(() => {
      const kind = phaseRef.current.kind;
      if (kind === 'unreachable' || kind === 'signed-in' || kind === 'login') void refresh();
    });
    return () => {
      stopWatching();
      stopListening();
      stopReconnect();
    };
  }, []);

  // One session for the web app and the dialer: the extension announces sign-ins and sign-outs it sees
  // (SESSION_EVENT), and coming back to the tab re-checks. Only the settled phases re-check, so a
  // challenge or setup in progress is never interrupted, and a check that agrees changes nothing (no loop).
  useEffect(() => {
    const recheck = () => {
      const kind = phaseRef.current.kind;
      if (kind === 'signed-in' || kind === 'login') void refresh();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') recheck();
    };
    window.addEventListener(SESSION_EVENT, recheck);
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener(SESSION_EVENT, recheck);
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  function onLoginAnswer(answer: LoginResponse, email: string) {
    if (answer.status === 'authenticated') void refresh();
    else if (answer.status === 'challenge') setPhase({ kind: 'challenge', email, challenge: answer });
    else
      setPhase({
        kind: 'setup',
        setup: { challengeId: answer.challengeId, allowedMethods: answer.allowedMethods, requiredBy: answer.requiredBy, email },
      });
  }

  /** "Set it up now" from the banner: the setup page, at /setup, with the way back. */
  async function startSetup(session: SessionResponse) {
    if (!session.twoFactorSetupDueBy) return;
    try {
      const status = await api<TwoFactorStatus>('GET', '/me/2fa');
      setPhase({
        kind: 'setup',
        setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy, email: session.user.email },
        grace: { dueBy: session.twoFactorSetupDueBy, session },
      });
      navigate('/setup');
    } catch {
      /* the API error listener has moved the app on (signed out, or setup now required) */
    }
  }

  function setUpLater(grace: Grace) {
    chooseSetupLater(grace.dueBy);
    if (location.pathname === '/setup') navigate('/security', { replace: true });
    setPhase({ kind: 'signed-in', session: grace.session });
  }

  /** Signs out; `stay` keeps the page (an invitation for someone else), otherwise back to the start. */
  async function logout(stay = false) {
    try {
      await api('POST', '/auth/logout');
    } catch {
      /* already signed out */
    }
    setPhase({ kind: 'login', notice: { text: 'You signed out.' } });
    if (!stay) navigate('/', { replace: true });
  }

  function signIn(email: string) {
    setPhase({ kind: 'login', email: email || undefined });
    navigate('/');
  }

  function goHome() {
    navigate('/security');
    void refresh();
  }

  function onJoined(answer: JoinAnswer, accountName: string) {
    if (answer.status === 'setup_required') {
      navigate('/security', { replace: true });
      setPhase({
        kind: 'setup',
        setup: {
          challengeId: answer.challengeId,
          allowedMethods: answer.allowedMethods,
          requiredBy: answer.requiredBy,
          email: answer.user?.email,
          notice: `You joined ${accountName}. It asks you to set up two-factor authentication before you continue.`,
        },
      });
    } else void refresh();
  }

  const user = phase.kind === 'signed-in' ? phase.session.user : null;
  const settled = phase.kind === 'login' || phase.kind === 'signed-in';
  if (settled && publicPaths.has(path) && !(path === '/signup' && user)) {
    return (
      <Centered key={linkKey}>
        {path === '/signup' && (
          <SignupPage
            onSignIn={signIn}
            onCreated={(email, answer) => {
              setPhase({ kind: 'login', email });
              navigate('/check-email');
              if (answer) onLoginAnswer(answer, email);
            }}
          />
        )}
        {path === '/check-email' && (
          <CheckEmailPage
            user={user}
            email={phase.kind === 'login' ? phase.email : undefined}
            onContinue={goHome}
            onSignIn={signIn}
            onVerified={() => void refresh()}
          />
        )}
        {path === '/verify-email' && (
          <VerifyEmailPage
            user={user}
            onVerified={() => {
              if (user) void refresh();
            }}
            onContinue={goHome}
            onSignIn={signIn}
            onCheckEmail={() => navigate('/check-email')}
          />
        )}
        {path === '/accept-invite' && (
          <AcceptInvitePage
            user={user}
            onJoined={(answer, preview) => onJoined(answer, preview.accountName)}
            onAccepted={() => void refresh()}
            onSignIn={signIn}
            onSignOut={() => void logout(true)}
            onContinue={goHome}
            onCheckEmail={() => navigate('/check-email')}
          />
        )}
      </Centered>
    );
  }

  switch (phase.kind) {
    case 'loading':
      return (
        <Centered>
          <main class="auth-card" aria-label="Loading">
            <Skeleton label="Loading Twofold" shape="card" rows={3} />
          </main>
        </Centered>
      );
    case 'unreachable':
      return (
        <Centered>
          <Unreachable />
        </Centered>
      );
    case 'login':
      return (
        <Centered>
          <LoginPage onAnswer={onLoginAnswer} notice={phase.notice} email={phase.email} key={phase.email ?? ''} />
        </Centered>
      );
    case 'challenge':
      return (
        <Centered>
          <ChallengePage
            challenge={phase.challenge}
            email={phase.email}
            onSignedIn={() => void refresh()}
            onRestart={(notice) =>
              setPhase({ kind: 'login', notice: notice ? { text: notice, tone: 'warning' } : undefined, email: phase.email })
            }
          />
        </Centered>
      );
    case 'setup': {
      const { grace } = phase;
      return (
        <Centered>
          <SetupPage
            setup={phase.setup}
            onDone={() => void refresh()}
            onRecovered={() => void refresh(RECOVERED_NOTICE)}
            onSignOut={() => void logout()}
            dueBy={grace?.dueBy}
            onLater={grace ? () => setUpLater(grace) : undefined}
          />
        </Centered>
      );
    }
    case 'signed-in':
      return (
        <SignedIn
          session={phase.session}
          path={path}
          onLogout={() => void logout()}
          onSetUp={() => void startSetup(phase.session)}
          onDue={() => void refresh()}
        />
      );
  }
}

/** Changes when another emailed link is opened in this tab (only its `#token=…` differs): its page starts over. */
function useLinkKey(): number {
  const [key, setKey] = useState(0);
  useEffect(() => {
    const onHash = () => {
      if (/token=/.test(location.hash)) setKey((k) => k + 1);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return key;
}

function emailOf(phase: Phase): string | undefined {
  if (phase.kind === 'signed-in') return phase.session.user.email;
  if (phase.kind === 'challenge') return phase.email;
  if (phase.kind === 'login') return phase.email;
  return undefined;
}

/** The signed-out layout: the brand in a banner landmark, the page's card below. */
function Centered({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="centered">
      <header class="centered__brand">
        <span class="brand__mark" aria-hidden="true">
          2
        </span>
        Twofold
      </header>
      {children}
      <ConnectionBanner />
    </div>
  );
}

function SignedIn({
  session,
  path,
  onLogout,
  onSetUp,
  onDue,
}: {
  session: SessionResponse;
  path: string;
  onLogout(): void;
  onSetUp(): void;
  onDue(): void;
}) {
  const adminMatch = /^\/admin(?:\/([^/]+))?(?:\/([^/]+))?/.exec(path);
  const [accountId, setAccountId] = useState<string | null>(session.accounts[0]?.id ?? null);
  const routeAccount = adminMatch?.[1] ? decodeURIComponent(adminMatch[1]) : null;
  const current = routeAccount ?? accountId;

  useEffect(() => {
    // Signed in on the way to an invitation: back to it.
    if (takeReturnToInvite()) {
      navigate('/accept-invite', { replace: true });
      return;
    }
    if (path === '/' || path === '/signup' || path === '/setup') navigate('/security', { replace: true });
    if (adminMatch && !adminMatch[1]) {
      const first = session.accounts.find((a) => isManager(a.role));
      navigate(first ? `/admin/${encodeURIComponent(first.id)}` : '/security', { replace: true });
    }
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#content">
        Skip to content
      </a>
      <Header session={session} path={path} accountId={current} onAccountChange={setAccountId} onLogout={onLogout} />
      {session.twoFactorSetupDueBy && <GraceBanner dueBy={session.twoFactorSetupDueBy} onSetUp={onSetUp} onDue={onDue} />}
      <ConnectionBanner signedIn />
      <div id="content" class="content">
        {routeAccount ? (
          <AdminLoader session={session} accountId={routeAccount} tab={adminMatch?.[2] ?? 'members'} />
        ) : (
          <SecurityPage email={session.user.email} onSignedOut={onLogout} />
        )}
      </div>
    </>
  );
}

interface AdminProps {
  session: SessionResponse;
  accountId: string;
  tab: string;
}

/** The admin pages are a separate chunk, loaded only when an owner or admin opens them. */
function AdminLoader(props: AdminProps) {
  const [Page, setPage] = useState<FunctionComponent<AdminProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./pages/admin/admin-page.tsx').then(
      (m) => setPage(() => m.AdminPage),
      () => setFailed(true),
    );
  }, []);
  if (failed)
    return (
      <main class="page">
        <p role="alert">The admin pages could not be loaded. Reload the page to try again.</p>
      </main>
    );
  return Page ? (
    <Page {...props} />
  ) : (
    <main class="page page--wide" aria-label="Admin">
      <Skeleton label="Loading the admin pages" shape="card" rows={5} />
    </main>
  );
}
