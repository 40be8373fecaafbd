// Tokens from emailed links (verify-email, accept-invite) sit after `#`, which browsers never send to a server.
// The page reads the token once and removes it from the address bar, so it is not left in history or bookmarks.
// An invitation token is kept in sessionStorage (this tab only) while its invitee signs in first.
const INVITE_KEY = 'twofold.inviteToken';
const RETURN_KEY = 'twofold.returnToInvite';

/** The `token` of `#token=…`, removed from the address bar; null when the address has none. */
export function takeHashToken(): string | null {
  const match = /^#(?:.*&)?token=([^&]+)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function keepInviteToken(token: string): void {
  try {
    session()?.setItem(INVITE_KEY, token);
  } catch {
    /* storage blocked: the link must be opened again after signing in */
  }
}

export function readInviteToken(): string | null {
  try {
    return session()?.getItem(INVITE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function forgetInviteToken(): void {
  try {
    session()?.removeItem(INVITE_KEY);
    session()?.removeItem(RETURN_KEY);
  } catch {
    /* nothing kept */
  }
}

/** The invitee went to sign in: bring them back to the invitation once they are signed in. */
export function returnToInviteAfterSignIn(): void {
  try {
    session()?.setItem(RETURN_KEY, '1');
  } catch {
    /* nothing kept */
  }
}

/** True once after returnToInviteAfterSignIn() while the invitation token is still kept. */
export function takeReturnToInvite(): boolean {
  try {
    const s = session();
    const pending = s?.getItem(RETURN_KEY) === '1' && !!s?.getItem(INVITE_KEY);
    s?.removeItem(RETURN_KEY);
    return pending;
  } catch {
    return false;
  }
}
