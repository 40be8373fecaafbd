// A code as a person typed or pasted it into a challenge, in the web app and the dialer alike. Imports nothing,
// so the sign-in page and the popup take it without the TOTP library.

/** What a person typed or pasted into a code field, reduced to digits and letters (the API itself is strict). */
export function normaliseTypedCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s\-–—]/g, '');
}

/** The start of a challenge form's submit, on both challenge pages: no page reload, then the typed code ready to
 * send, with the form busy and the last error cleared; or, when nothing was typed, an empty answer and the error
 * saying so. */
export function beginCodeSubmit(
  event: Event,
  input: string,
  form: { setError(message: string): void; setBusy(busy: boolean): void },
): string {
  event.preventDefault();
  const typed = normaliseTypedCode(input);
  if (!typed) {
    form.setError('Enter your code first.');
    return typed;
  }
  form.setBusy(true);
  form.setError('');
  return typed;
}
