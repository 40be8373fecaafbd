// What to tell a person about where each method's code comes from, in the web app's challenge and the dialer's
// alike (one text, so the two never tell people different things). Imports nothing: any bundle may take it.
import type { Method } from './schemas.ts';

export const codeHints: Record<Method, string> = {
  totp: 'Open your authenticator app and type the code shown for Twofold.',
  sms: 'We text a code to your mobile.',
  email: 'We email a code to you.',
  webauthn: '',
  backup_code: 'One of the codes you saved when you set up two-factor authentication. Each works once.',
  recovery_code: 'The one-time code an owner of your account gave you.',
};
