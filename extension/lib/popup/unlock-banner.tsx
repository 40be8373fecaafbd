// When a Twofold page asked to unlock (its "Unlock…" opened this popup), the passphrase field comes first.
import { useEffect, useState } from 'preact/hooks';
import { onBroadcast, send } from '../browser-api.ts';
import { UnlockForm } from '../ui/unlock-form.tsx';

export function UnlockBanner() {
  const [asked, setAsked] = useState(false);
  useEffect(() => {
    const refresh = () =>
      void send('vault:status', {}).then(
        (status) => setAsked(status.unlockAsked),
        () => setAsked(false),
      );
    refresh();
    return onBroadcast((message) => {
      if (message.broadcast === 'vault-changed') refresh();
    });
  }, []);
  if (!asked) return null;
  return (
    <UnlockForm
      why="A Twofold page is waiting to fill your sign-in code. Type your passphrase to unlock it."
      onUnlocked={() => setAsked(false)}
    />
  );
}
