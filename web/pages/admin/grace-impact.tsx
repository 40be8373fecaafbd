// The impact preview's deadlines when the policy gives a grace period: "3 members will have until 12 March", from
// the API's preview (each member's due date under the policy being edited, as if it applied now).
import { useEffect, useState } from 'preact/hooks';
import type { PolicyUpdate, Role } from '../../../shared/schemas.ts';
import { describeDue } from '../../../shared/due-date.ts';
import { api } from '../../api-client.ts';

export interface DueMember {
  userId: string;
  name: string;
  email: string;
  role: Role;
  setupDueBy: string | null;
}

/** The preview for `update` (null: none needed), fetched a moment after the last edit; null until it answers. */
export function useGracePreview(base: string, update: PolicyUpdate | null): DueMember[] | null {
  const [members, setMembers] = useState<DueMember[] | null>(null);
  const key = update ? JSON.stringify(update) : '';
  useEffect(() => {
    setMembers(null);
    if (!update) return;
    let current = true;
    const timer = setTimeout(() => {
      api<{ membersToSetUp: DueMember[] }>('POST', `${base}/security/2fa-policy/preview`, { body: update }).then(
        (preview) => {
          if (current) setMembers(preview.membersToSetUp);
        },
        () => {
          if (current) setMembers(null);
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [base, key]);
  return members;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Members grouped by the day they are due; those due already (or without a grace) at their next sign-in. */
export function GraceDeadlines({ members, now = Date.now() }: { members: DueMember[]; now?: number }) {
  const atNextSignIn = members.filter((m) => m.setupDueBy === null || Date.parse(m.setupDueBy) <= now);
  const groups = new Map<string, DueMember[]>();
  for (const m of members) {
    if (m.setupDueBy === null || Date.parse(m.setupDueBy) <= now) continue;
    const day = describeDue(m.setupDueBy, now).date;
    groups.set(day, [...(groups.get(day) ?? []), m]);
  }
  const names = (list: DueMember[]) => list.map((m) => m.name).join(', ');
  return (
    <div data-testid="impact-deadlines">
      {[...groups].map(([day, list]) => (
        <p class="due-line" key={day}>
          <strong>
            {plural(list.length, 'member')} will have until {day}
          </strong>{' '}
          to set it up (we email them the date): {names(list)}
        </p>
      ))}
      {atNextSignIn.length > 0 && (
        <p class="due-line">
          <strong>{plural(atNextSignIn.length, 'member')} will be asked at their next sign-in</strong> (their time is up):{' '}
          {names(atNextSignIn)}
        </p>
      )}
    </div>
  );
}
