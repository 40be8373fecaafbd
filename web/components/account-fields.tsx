// The fields that make an account, on the sign-up page and when accepting an invitation, with the API's limits.
import { TextField, type TextFieldProps } from '../../shared/ui/text-field.tsx';

type Props = Omit<TextFieldProps, 'type' | 'autocomplete' | 'required' | 'minLength' | 'maxLength'>;

export function NameField(props: Omit<Props, 'label'>) {
  return <TextField label="Your name" type="text" autocomplete="name" required maxLength={100} {...props} />;
}

export function NewPasswordField(props: Props) {
  return <TextField type="password" autocomplete="new-password" required minLength={8} maxLength={128} {...props} />;
}
