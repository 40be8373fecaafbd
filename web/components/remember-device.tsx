// “Remember this device” on the second step of signing in, with a code or a security key alike; `skips` names
// what a remembered device skips.
import { Checkbox } from '../../shared/ui/checkbox.tsx';

interface Props {
  checked: boolean;
  onCheck: (checked: boolean) => void;
  skips: string;
}

export function RememberDevice({ checked, onCheck, skips }: Props) {
  return (
    <Checkbox id="remember-device" label="Remember this device" checked={checked} onCheck={onCheck}>
      <p class="hint" id="remember-hint">
        Skip {skips} on this browser for a while. Only choose this on your own device.
      </p>
    </Checkbox>
  );
}
