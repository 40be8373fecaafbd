// The Security page's warning when a person is running out of backup codes (the API says `backupCodes.low`: 3 or
// fewer left), with the way to make a new set.
export function LowBackupCodesBanner({ remaining, onMakeNew }: { remaining: number; onMakeNew(): void }) {
  const left = remaining === 0 ? 'No backup codes left' : `${remaining} backup code${remaining === 1 ? '' : 's'} left`;
  return (
    <div class="notice notice--warning low-codes" data-testid="low-backup-codes">
      <strong>{left}</strong> —{' '}
      <button type="button" class="link-button" onClick={onMakeNew}>
        make new ones
      </button>
      <span class="hint"> so you can still sign in if you lose your phone.</span>
    </div>
  );
}
