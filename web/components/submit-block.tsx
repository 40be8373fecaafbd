// The full-width submit button of the sign-in, sign-up, invitation and challenge forms: disabled while the form is
// busy, and saying what it is doing then ("Signing in…") when given the words.
import type { ComponentChildren } from 'preact';

export function SubmitBlock({ busy, busyText, children }: { busy: boolean; busyText?: string; children: ComponentChildren }) {
  return (
    <button type="submit" class="button button--block" disabled={busy}>
      {busy && busyText ? busyText : children}
    </button>
  );
}
