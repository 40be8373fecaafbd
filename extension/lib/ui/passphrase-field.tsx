// A box for the passphrase that protects the kept authenticators: required, and kept out of the browser's
// password manager (it is not a site's password).
import type { ComponentChildren } from 'preact';
import { TextField } from '../../../shared/ui/text-field.tsx';

interface Props {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  minLength?: number;
  /** Said below the box. */
  hint?: ComponentChildren;
}

export function PassphraseField(props: Props) {
  return <TextField type="password" autocomplete="off" required {...props} />;
}
