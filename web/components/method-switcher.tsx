// "Use a text message instead": the other ways to pass this challenge, the recovery code last.
import type { Method } from '../../shared/schemas.ts';

const order: Method[] = ['webauthn', 'totp', 'sms', 'email', 'backup_code', 'recovery_code'];

export const switchLabels: Record<Method, string> = {
  webauthn: 'Use your security key instead',
  totp: 'Use your authenticator app instead',
  sms: 'Use a text message instead',
  email: 'Use an email instead',
  backup_code: 'Use a backup code',
  recovery_code: 'Use a recovery code',
};

export function otherMethods(methods: readonly Method[], current: Method): Method[] {
  return order.filter((m) => m !== current && methods.includes(m));
}

interface Props {
  methods: readonly Method[];
  current: Method;
  onSwitch(method: Method): void;
  disabled?: boolean;
}

export function MethodSwitcher({ methods, current, onSwitch, disabled }: Props) {
  const others = otherMethods(methods, current);
  if (others.length === 0) return null;
  return (
    <nav class="method-switcher" aria-label="Other ways to sign in">
      <h2 class="method-switcher__title">Having trouble?</h2>
      <ul>
        {others.map((m) => (
          <li key={m}>
            <button type="button" class="link-button" disabled={disabled} onClick={() => onSwitch(m)} data-method={m}>
              {switchLabels[m]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
