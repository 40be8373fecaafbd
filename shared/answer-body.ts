// Reading an API answer's body, in the web app and the dialer alike. Imports nothing.

/** The answer's JSON; null when it has no body or one that is not JSON (a proxy's own error page, say). */
export function parseAnswerBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
