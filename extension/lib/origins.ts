// Which origins are Twofold's: the manifest's host permissions (built from TWOFOLD_ORIGINS), as match patterns
// such as `http://127.0.0.1/*` or `https://*.example.com/*`. A pattern names no port, so it matches every port.

/** True when `origin` (scheme://host[:port], nothing else) is matched by one of the patterns. */
export function isTwofoldOrigin(origin: string, patterns: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
  return patterns.some((pattern) => matchesPattern(url, pattern));
}

function matchesPattern(url: URL, pattern: string): boolean {
  const match = /^(\*|https?):\/\/(\*|\*\.[^/*:]+|[^/*:]+|\[[0-9a-fA-F:.]+\])(:\d+|:\*)?\//.exec(pattern);
  if (!match) return false;
  const [, scheme, host] = match as unknown as [string, string, string];
  if (scheme !== '*' && `${scheme}:` !== url.protocol) return false;
  const hostname = url.hostname.toLowerCase();
  const wanted = host.toLowerCase();
  if (wanted === '*') return true;
  if (wanted.startsWith('*.')) return hostname === wanted.slice(2) || hostname.endsWith(wanted.slice(1));
  return hostname === wanted;
}

/** A server typed by a person, as an origin, or null when it is not a Twofold origin. */
export function normaliseServer(input: string, patterns: readonly string[]): string | null {
  try {
    const origin = new URL(input.trim()).origin;
    return isTwofoldOrigin(origin, patterns) ? origin : null;
  } catch {
    return null;
  }
}
