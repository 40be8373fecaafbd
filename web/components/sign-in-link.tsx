// A link to the sign-in page that the app follows itself, with the email to fill in (empty for none).
import type { ComponentChildren } from 'preact';

interface Props {
  email: string;
  onSignIn(email: string): void;
  /** Runs first (to come back to this page after signing in, say). */
  before?: () => void;
  class?: string;
  testId?: string;
  children: ComponentChildren;
}

export function SignInLink({ email, onSignIn, before, class: className, testId, children }: Props) {
  return (
    <a
      class={className}
      href="/"
      data-testid={testId}
      onClick={(e) => {
        e.preventDefault();
        before?.();
        onSignIn(email);
      }}
    >
      {children}
    </a>
  );
}
