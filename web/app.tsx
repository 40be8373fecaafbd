// The app's states: checking the session, signing in (password, challenge), forced setup, signed in.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import type { EnrollableMethod, LoginResponse, RequiredBy, SessionResponse, TwoFactorStatus } from '../shared/schemas.ts';
import { api, ApiError, onApiError } from './api-client.ts';
import { navigate, usePath } from './router.ts';
import { LoginPage } from './pages/login.tsx';
import { ChallengePage, type ChallengeInfo } from './pages/challenge.tsx';
import { SetupPage, type SetupInfo } from './pages/setup.tsx';
import { SecurityPage } from './pages/security.tsx';
import { Header, isManager } from './components/header.tsx';
import { takeHandoff } from './handoff.ts';
import { GraceBanner } from './components/grace-banner.tsx';
import { chooseSetupLater, choseSetupLater } from './setup-later.ts';

type Phase =
  | { kind: 'loading' }
  | { kind: 'login'; notice?: string }
  | { kind: 'challenge'; challenge: ChallengeInfo; email: string }
  | { kind: 'setup'; setup: SetupInfo; grace?: { dueBy: string; session: SessionResponse } }
  | { kind: 'signed-in'; session: SessionResponse };

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

  async function refresh() {
    try {
      const session = await api<SessionResponse>('GET', '/session');
      if (session.twoFactorSetupRequired) {
        try {
          const status = await api<TwoFactorStatus>('GET', '/me/2fa');
          setPhase({ kind: 'setup', setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy } });
        } catch (e) {
          if (e instanceof ApiError && e.code === '2fa_setup_required') setPhase({ kind: 'setup', setup: setupFromError(e) });
          else throw e;
        }
        return;
      }
      // In a grace period: offer setup once (and whenever /setup is asked for), with a way to go on until the date.
      const dueBy = session.twoFactorSetupDueBy;
      if (dueBy && (location.pathname === '/setup' || !choseSetupLater(dueBy))) {
        const status = await api<TwoFactorStatus>('GET', '/me/2fa');
        setPhase({ kind: 'setup', setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy }, grace: { dueBy, session } });
        return;
      }
      setPhase({ kind: 'signed-in', session });
    } catch (e) {
      if (phaseRef.current.kind !== 'setup') setPhase({ kind: 'login', notice: e instanceof ApiError && e.code !== 'unauthenticated' ? e.message : undefined });
    }
  }

  useEffect(() => {
    if (phaseRef.current.kind !== 'challenge') void refresh();
    return onApiError((error) => {
      if (error.code === '2fa_setup_required') setPhase({ kind: 'setup', setup: setupFromError(error) });
      else if (error.code === 'unauthenticated' && phaseRef.current.kind === 'signed-in') {
        setPhase({ kind: 'login', notice: 'You were signed out. Please sign in again.' });
      }
    });
  }, []);

  // One session for the web app and the dialer: the extension announces sign-ins and sign-outs it sees
  // ("twofold:session-changed"), and coming back to the tab re-checks. Only the settled phases re-check, so a
  // challenge or setup in progress is never interrupted, and a check that agrees changes nothing (no loop).
  useEffect(() => {
    const recheck = () => {
      const kind = phaseRef.current.kind;
      if (kind === 'signed-in' || kind === 'login') void refresh();
    };
    const onVisible = () => { if (document.visibilityState === 'visible') recheck(); };
    window.addEventListener('twofold:session-changed', recheck);
    window.addEventListener('focus', recheck);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('twofold:session-changed', recheck);
      window.removeEventListener('focus', recheck);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  function onLoginAnswer(answer: LoginResponse, email: string) {
    if (answer.status === 'authenticated') void refresh();
    else if (answer.status === 'challenge') setPhase({ kind: 'challenge', email, challenge: answer });
    else setPhase({ kind: 'setup', setup: { challengeId: answer.challengeId, allowedMethods: answer.allowedMethods, requiredBy: answer.requiredBy } });
  }

  /** "Set it up now" from the banner: the setup page, at /setup, with the way back. */
  async function startSetup(session: SessionResponse) {
    if (!session.twoFactorSetupDueBy) return;
    try {
      const status = await api<TwoFactorStatus>('GET', '/me/2fa');
      setPhase({ kind: 'setup', setup: { allowedMethods: status.allowedMethods, requiredBy: status.requiredBy }, grace: { dueBy: session.twoFactorSetupDueBy, session } });
      navigate('/setup');
    } catch { /* the API error listener has moved the app on (signed out, or setup now required) */ }
  }

  function setUpLater(grace: { dueBy: string; session: SessionResponse }) {
    chooseSetupLater(grace.dueBy);
    if (location.pathname === '/setup') navigate('/security', { replace: true });
    setPhase({ kind: 'signed-in', session: grace.session });
  }

  async function logout() {
    try { await api('POST', '/auth/logout'); } catch { /* already signed out */ }
    setPhase({ kind: 'login', notice: 'You signed out.' });
    navigate('/', { replace: true });
  }

  switch (phase.kind) {
    case 'loading': return <div class="loading" aria-busy="true">Loading…</div>;
    case 'login': return <Centered><LoginPage onAnswer={onLoginAnswer} notice={phase.notice} /></Centered>;
    case 'challenge':
      return (
        <Centered>
          <ChallengePage challenge={phase.challenge} email={phase.email} onSignedIn={() => void refresh()}
            onRestart={(notice) => setPhase({ kind: 'login', notice: notice || undefined })} />
        </Centered>
      );
    case 'setup': {
      const { grace } = phase;
      return (
        <Centered>
          <SetupPage setup={phase.setup} onDone={() => void refresh()} onSignOut={logout}
            dueBy={grace?.dueBy} onLater={grace ? () => setUpLater(grace) : undefined} />
        </Centered>
      );
    }
    case 'signed-in': return <SignedIn session={phase.session} path={path} onLogout={logout} onSetUp={() => void startSetup(phase.session)} onDue={() => void refresh()} />;
  }
}

function Centered({ children }: { children: preact.ComponentChildren }) {
  return <div class="centered"><div class="centered__brand"><span class="brand__mark" aria-hidden="true">2</span>Twofold</div>{children}</div>;
}

function SignedIn({ session, path, onLogout, onSetUp, onDue }: { session: SessionResponse; path: string; onLogout(): void; onSetUp(): void; onDue(): void }) {
  const adminMatch = /^\/admin(?:\/([^/]+))?(?:\/([^/]+))?/.exec(path);
  const [accountId, setAccountId] = useState<string | null>(session.accounts[0]?.id ?? null);
  const routeAccount = adminMatch?.[1] ? decodeURIComponent(adminMatch[1]) : null;
  const current = routeAccount ?? accountId;

  useEffect(() => {
    if (path === '/' || path === '/setup') navigate('/security', { replace: true });
    if (adminMatch && !adminMatch[1]) {
      const first = session.accounts.find((a) => isManager(a.role));
      navigate(first ? `/admin/${encodeURIComponent(first.id)}` : '/security', { replace: true });
    }
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#content">Skip to content</a>
      <Header session={session} path={path} accountId={current} onAccountChange={setAccountId} onLogout={onLogout} />
      {session.twoFactorSetupDueBy && <GraceBanner dueBy={session.twoFactorSetupDueBy} onSetUp={onSetUp} onDue={onDue} />}
      <div id="content" class="content">
        {routeAccount ? <AdminLoader session={session} accountId={routeAccount} tab={adminMatch?.[2] ?? 'members'} /> : <SecurityPage onSignedOut={onLogout} />}
      </div>
    </>
  );
}

interface AdminProps { session: SessionResponse; accountId: string; tab: string }

/** The admin pages are a separate chunk, loaded only when an owner or admin opens them. */
function AdminLoader(props: AdminProps) {
  const [Page, setPage] = useState<FunctionComponent<AdminProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./pages/admin/admin-page.tsx').then((m) => setPage(() => m.AdminPage), () => setFailed(true));
  }, []);
  if (failed) return <p class="page" role="alert">The admin pages could not be loaded. Reload the page to try again.</p>;
  return Page ? <Page {...props} /> : <p class="page muted">Loading…</p>;
}
