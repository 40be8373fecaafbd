// What each method is called and where its code comes from, for the web app's challenge page and the dialer
// alike: one table, so the two never tell people different things. The hint is the same in both; the web page
// heads each method with a title, while the dialer, with no room for one, names the method on its switch button
// and says more in the box's label. Imports nothing: any bundle may take it.
import type { Method } from './schemas.ts';

export interface MethodTexts {
  /** Where the code comes from, under (web: above) the code box. */
  hint: string;
  /** The web challenge page's heading and its code box's label. */
  title: string;
  label: string;
  /** The dialer's switch button and its code box's label. */
  dialerName: string;
  dialerLabel: string;
}

export const methodTexts: Record<Method, MethodTexts> = {
  totp: {
    hint: 'Open your authenticator app and type the code shown for Twofold.',
    title: 'Enter the code from your app',
    label: '6-digit code',
    dialerName: 'App',
    dialerLabel: '6-digit code from your app',
  },
  sms: {
    hint: 'We text a code to your mobile.',
    title: 'Check your phone',
    label: '6-digit code',
    dialerName: 'Text',
    dialerLabel: '6-digit code we texted you',
  },
  email: {
    hint: 'We email a code to you.',
    title: 'Check your email',
    label: '6-digit code',
    dialerName: 'Email',
    dialerLabel: '6-digit code we emailed you',
  },
  webauthn: { hint: '', title: 'Use your security key', label: '', dialerName: 'Security key', dialerLabel: '' },
  backup_code: {
    hint: 'One of the codes you saved when you set up two-factor authentication. Each works once.',
    title: 'Use a backup code',
    label: 'Backup code',
    dialerName: 'Backup code',
    dialerLabel: 'Backup code',
  },
  recovery_code: {
    hint: 'The one-time code an owner of your account gave you.',
    title: 'Use a recovery code',
    label: 'Recovery code',
    dialerName: 'Recovery code',
    dialerLabel: 'Recovery code',
  },
};
