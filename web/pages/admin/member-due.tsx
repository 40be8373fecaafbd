// A member's 2FA due date in the members list: "Due by 12 March", or "Overdue since 12 March" once it has passed.
import type { Member } from '../../../shared/schemas.ts';
import { describeDue, formatDay } from '../../../shared/due-date.ts';

export function MemberDue({ twoFactor }: { twoFactor: Member['twoFactor'] }) {
  if (!twoFactor.setupDueBy) return null;
  const when = new Date(twoFactor.setupDueBy).toLocaleString();
  return twoFactor.overdue ? (
    <span class="badge badge--danger" data-testid="member-overdue" title={`Was due ${when}: asked to set it up at their next sign-in`}>
      Overdue since {formatDay(twoFactor.setupDueBy)}
    </span>
  ) : (
    <span class="badge badge--warn" data-testid="member-due" title={`Due ${when}`}>
      Due by {describeDue(twoFactor.setupDueBy).date}
    </span>
  );
}
