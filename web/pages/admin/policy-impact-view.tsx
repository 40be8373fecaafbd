// The impact preview of a 2FA policy: who will be asked to set up, and which owners block it. When the person
// looking is one of those owners, it says so to them, with a link to set it up now.
import type { Enforce } from '../../../shared/schemas.ts';
import { followLink } from '../../router.ts';
import type { PolicyImpact } from './policy-impact.ts';

/** "You must set up 2FA first", with the way to do it; shown in the preview and when the API refuses. */
export function SetUpYourselfFirst() {
  return (
    <p data-testid="self-blocking">
      You must set up two-factor authentication yourself before you can require it of others. <a href="/security" onClick={followLink}>Set up 2FA now</a>
    </p>
  );
}

export function PolicyImpactView({ enforce, impact, changed, selfId }: { enforce: Enforce; impact: PolicyImpact; changed: boolean; selfId: string }) {
  const self = impact.blockingOwners.some((m) => m.userId === selfId);
  const others = impact.blockingOwners.filter((m) => m.userId !== selfId);
  if (enforce === 'off') {
    return <div class="impact" data-testid="impact-preview" aria-live="polite"><strong>Impact:</strong> nobody is required to set up two-factor authentication{changed ? ' (members already using it keep it)' : ''}.</div>;
  }
  return (
    <div class="impact" data-testid="impact-preview" aria-live="polite">
      <strong>Impact{changed ? ' if you save' : ''}:</strong>
      {impact.blockingOwners.length > 0 && (
        <div class="alert alert--error" role="alert" data-testid="blocking-owners">
          {self && <SetUpYourselfFirst />}
          {others.length > 0 && (
            <>
              {self ? 'These other owners must set it up too:' : 'These owners must set up two-factor authentication first:'}
              <ul>{others.map((m) => <li key={m.userId}>{m.name} ({m.email})</li>)}</ul>
            </>
          )}
        </div>
      )}
      {impact.toSetUp.length === 0
        ? <p>Everyone it covers already uses two-factor authentication.</p>
        : (
          <>
            <p>{impact.toSetUp.length} member{impact.toSetUp.length === 1 ? '' : 's'} will be asked to set it up at their next sign-in (we email them instructions):</p>
            <ul data-testid="impact-members">{impact.toSetUp.map((m) => <li key={m.userId}>{m.name} ({m.email})</li>)}</ul>
          </>
        )}
    </div>
  );
}
