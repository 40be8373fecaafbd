// The per-member actions: require 2FA, reset 2FA (greyed out with the reason), recovery code (owners). For a
// member this account does not manage (they joined with their own Twofold sign-in), reset and recovery are
// replaced by a sentence saying who can.
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
  // The API decides (owner, managed, not yourself); the same rule here keeps a stale answer from offering it.
  const canRecover = isOwner && !isSelf && member.twoFactor.canIssueRecoveryCode;
  const resetReason = !member.twoFactor.canReset ? 'Nothing to reset: no method, backup code or trusted device.' : null;
  return (
    <details
      class="member-menu"
      ref={details}
      onKeyDown={(e) => {
        if (e.key === 'Escape') details.current?.removeAttribute('open');
      }}
    >
      <summary class="button button--secondary button--small" aria-label={`Actions for ${member.name}`}>
        Actions ▾
      </summary>
      <ul class="member-menu__list" id={id}>
        <li>
          {member.require2fa ? (
            <button type="button" onClick={() => choose('unrequire')}>
              Stop requiring 2FA
            </button>
          ) : (
            <button type="button" onClick={() => choose('require')}>
              Require 2FA
            </button>
          )}
        </li>
        {member.managed ? (
          <>
            <li>
              <button
                type="button"
                disabled={!!resetReason}
                aria-describedby={resetReason ? `${id}-reset` : undefined}
                onClick={() => choose('reset')}
              >
                Reset 2FA
              </button>
              {resetReason && (
                <p class="hint" id={`${id}-reset`}>
                  {resetReason}
                </p>
              )}
            </li>
            {canRecover && (
              <li>
                <button type="button" onClick={() => choose('recovery')}>
                  Generate recovery code
                </button>
              </li>
            )}
          </>
        ) : (
          <li>
            <p class="hint" data-testid="unmanaged-reason">
              {member.name} joined with their own Twofold sign-in, so only the account they signed up with can reset their 2FA or give them
              a recovery code.
            </p>
          </li>
        )}
      </ul>
    </details>
  );
}
