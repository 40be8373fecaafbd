// The dialer's hand-off: an extension page cannot use a security key for the web app's relying party, so the
// dialer opens its sign-in challenge here, in a tab, as `/#/continue-sign-in?challenge=…&email=…&methods=…&preferred=…&expires=…`
// (HANDOFF_PREFIX and HandoffQuery in shared/contract.ts).
// The challenge id travels in the fragment, which browsers never send to a server, and leaves the address bar
// (and the history) as soon as it is read. Passing the challenge here signs the shared session in, so the dialer
// follows without a second prompt.
import type { Method } from '../shared/schemas.ts';
import { HANDOFF_PREFIX, type HandoffQuery } from '../shared/contract.ts';
import { methodNames } from './labels.ts';
import type { ChallengeInfo } from './pages/challenge.tsx';

/** Every method, from the labels' Record<Method, …> (TypeScript keeps it complete); importing the list from
 * shared/schemas.ts would pull zod into the sign-in page's bundle (about 30 KB gzipped). */
const allMethods = Object.keys(methodNames) as Method[];

export interface Handoff {
  challenge: ChallengeInfo;
  email: string;
}

export function parseHandoff(hash: string): Handoff | null {
  if (!hash.startsWith(HANDOFF_PREFIX)) return null;
  const q = new URLSearchParams(hash.slice(HANDOFF_PREFIX.length));
  const get = (name: keyof HandoffQuery) => q.get(name);
  const challengeId = get('challenge') ?? '';
  const email = get('email') ?? '';
  const methods = (get('methods') ?? '').split(',').filter((m): m is Method => (allMethods as readonly string[]).includes(m));
  const preferred = get('preferred') as Method | null;
  const expiresAt = get('expires') ?? '';
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(challengeId) || !email || email.length > 254 || methods.length === 0) return null;
  if (!preferred || !methods.includes(preferred) || Number.isNaN(Date.parse(expiresAt))) return null;
  return { email, challenge: { challengeId, methods, preferredMethod: preferred, expiresAt } };
}

/** Reads a hand-off from the address bar once, and removes it from there. */
export function takeHandoff(): Handoff | null {
  const handoff = parseHandoff(location.hash);
  if (location.hash.startsWith(HANDOFF_PREFIX)) history.replaceState(null, '', location.pathname + location.search);
  return handoff;
}
