// The impact preview of a 2FA policy: who will be asked to set up, and which owners block it. When the person
// looking is one of those owners, it says so to them, with a link to set it up now.
import type { ComponentChildren } from 'preact';
import type { Enforce, Member } from '../../../shared/schemas.ts';
import { followLink } from '../../router.ts';
import type { PolicyImpact } from './policy-impact.ts';

/** "You must set up 2FA first", with the way to do it; shown in the preview and when the API refuses. */
export function SetUpYourselfFirst({ keysOnly = false }: { keysOnly?: boolean }) {
  return (
    <p data-testid="self-blocking">
      {keysOnly
        ? 'You must add a security key yourself before you can require one of others.'
        : 'You must set up two-factor authentication yourself before you can require it of others.'}{' '}
      <a href="/security" onClick={followLink}>
        {keysOnly ? 'Add a security key now' : 'Set up 2FA now'}
      </a>
    </p>
  );
}

/** `deadlines`: with a grace period, who will have until when (grace-impact.tsx), in place of "at their next sign-in".
 * `keysOnly`: the policy allows security keys only, so "set up" means "add a key". `selfId`: the person looking,
 * told in the first person when they are one of the owners in the way. */
export function PolicyImpactView({
  enforce,
  impact,
  changed,
  deadlines,
  keysOnly = false,
  selfId,
}: {
  enforce: Enforce;
  impact: PolicyImpact;
  changed: boolean;
  deadlines?: ComponentChildren;
  keysOnly?: boolean;
  selfId: string;
}) {
  const self = impact.blockingOwners.some((m) => m.userId === selfId);
  const others = impact.blockingOwners.filter((m) => m.userId !== selfId);
  if (enforce === 'off') {
    return (
      <div class="impact" data-testid="impact-preview" aria-live="polite">
        <strong>Impact:</strong> nobody is required to set up two-factor authentication
        {changed ? ' (members already using it keep it)' : ''}.
      </div>
    );
  }
  return (
    <div class="impact" data-testid="impact-preview" aria-live="polite">
      <strong>Impact{changed ? ' if you save' : ''}:</strong>
      {impact.blockingOwners.length > 0 && (
        <div class="alert alert--error" role="alert" data-testid="blocking-owners">
          {self && <SetUpYourselfFirst keysOnly={keysOnly} />}
          {others.length > 0 && (
            <>
              {self
                ? 'These other owners must do it too:'
                : keysOnly
                  ? 'These owners must add a security key first:'
                  : 'These owners must set up two-factor authentication first:'}
              <MemberList members={others} />
            </>
          )}
        </div>
      )}
      {impact.toSetUp.length === 0 ? (
        <p>{keysOnly ? 'Everyone it covers already has a security key.' : 'Everyone it covers already uses two-factor authentication.'}</p>
      ) : (
        (deadlines ?? (
          <>
            <p>
              {keysOnly
                ? `Security keys only: ${impact.toSetUp.length} member${impact.toSetUp.length === 1 ? ' has' : 's have'} no security key yet and will be asked to add one at their next sign-in:`
                : `${impact.toSetUp.length} member${impact.toSetUp.length === 1 ? '' : 's'} will be asked to set it up at their next sign-in (we email them instructions):`}
            </p>
            <MemberList members={impact.toSetUp} testId="impact-members" />
          </>
        ))
      )}
    </div>
  );
}

function MemberList({ members, testId }: { members: Member[]; testId?: string }) {
  return (
    <ul data-testid={testId}>
      {members.map((m) => (
        <li key={m.userId}>
          {m.name} ({m.email})
        </li>
      ))}
    </ul>
  );
}
