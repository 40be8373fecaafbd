// The per-member actions: require 2FA, reset 2FA (greyed out with the reason), recovery code (owners).
import { useRef } from 'preact/hooks';
import type { Member } from '../../../shared/schemas.ts';

export type MemberAction = 'require' | 'unrequire' | 'reset' | 'recovery';

interface Props {
  member: Member;
  isOwner: boolean;
  isSelf: boolean;
  onAction(action: MemberAction, member: Member): void;
}

export function MemberMenu({ member, isOwner, isSelf, onAction }: Props) {
  const details = useRef<HTMLDetailsElement>(null);
  const id = `menu-${member.userId}`;
  function choose(action: MemberAction) {
    details.current?.removeAttribute('open');
    onAction(action, member);
  }
  const resetReason = !member.twoFactor.canReset ? 'Nothing to reset: no method, backup code or trusted device.' : null;
  return (
    <details class="member-menu" ref={details} onKeyDown={(e) => { if (e.key === 'Escape') details.current?.removeAttribute('open'); }}>
      <summary class="button button--secondary button--small" aria-label={`Actions for ${member.name}`}>Actions ▾</summary>
      <ul class="member-menu__list" id={id}>
        <li>
          {member.require2fa
            ? <button type="button" onClick={() => choose('unrequire')}>Stop requiring 2FA</button>
            : <button type="button" onClick={() => choose('require')}>Require 2FA</button>}
        </li>
        <li>
          <button type="button" disabled={!!resetReason} aria-describedby={resetReason ? `${id}-reset` : undefined} onClick={() => choose('reset')}>Reset 2FA</button>
          {resetReason && <p class="hint" id={`${id}-reset`}>{resetReason}</p>}
        </li>
        {isOwner && !isSelf && (
          <li><button type="button" onClick={() => choose('recovery')}>Generate recovery code</button></li>
        )}
      </ul>
    </details>
  );
}
