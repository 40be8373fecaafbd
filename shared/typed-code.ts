// A code as a person typed or pasted it into a challenge, in the web app and the dialer alike. Imports nothing,
// so the sign-in page and the popup take it without the TOTP library.

/** What a person typed or pasted into a code field, reduced to digits and letters (the API itself is strict). */
export function normaliseTypedCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s\-–—]/g, '');
}

/** The typed code, ready to send; when nothing was typed, `say` is told so and the answer is empty. */
export function typedCodeToSend(input: string, say: (message: string) => void): string {
  const typed = normaliseTypedCode(input);
  if (!typed) say('Enter your code first.');
  return typed;
}
