// The page for a link from an email that did not work (an invitation, an email check): it has run out, it came
// without its code, or the API refused it. What the person can do next follows as children.
import type { ComponentChildren } from 'preact';
import { ErrorMessage } from './alert.tsx';

export type LinkProblemState = { kind: 'expired' } | { kind: 'missing' } | { kind: 'failed'; message: string };

interface Props {
  /** The heading's id, which names the page. */
  titleId: string;
  problem: LinkProblemState;
  expiredTitle: string;
  failedTitle: string;
  /** Why a link of this kind runs out. */
  whyExpired: ComponentChildren;
  /** What the link's code is, as in “The address has no invitation code”. */
  codeName: string;
  children: ComponentChildren;
}

export function LinkProblem({ titleId, problem, expiredTitle, failedTitle, whyExpired, codeName, children }: Props) {
  return (
    <main class="auth-card" aria-labelledby={titleId}>
      <h1 id={titleId}>
        {problem.kind === 'expired' ? expiredTitle : problem.kind === 'missing' ? 'This link is incomplete' : failedTitle}
      </h1>
      {problem.kind === 'expired' && <p>{whyExpired}</p>}
      {problem.kind === 'missing' && (
        <p>The address has no {codeName} code. Open the link from the email again, or copy the whole link into the address bar.</p>
      )}
      {problem.kind === 'failed' && <ErrorMessage>{problem.message}</ErrorMessage>}
      {children}
    </main>
  );
}
