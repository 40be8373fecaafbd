// The banner on every page while a person is in a grace period: the account requires 2FA by a date, how many days
// are left, and the way to set it up now. When the date passes with the page open, the app re-checks at once.
import { useEffect } from 'preact/hooks';
import { dueSentence } from '../../shared/due-date.ts';

/** setTimeout's ceiling (about 24.8 days); a later due date is re-checked on focus and navigation anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function GraceBanner({ dueBy, onSetUp, onDue }: { dueBy: string; onSetUp(): void; onDue(): void }) {
  useEffect(() => {
    const wait = Date.parse(dueBy) - Date.now();
    if (wait > MAX_TIMER_MS) return;
    const timer = setTimeout(onDue, Math.max(0, wait) + 1000);
    return () => clearTimeout(timer);
  }, [dueBy]);

  function setUp(event: MouseEvent) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab opens /setup
    event.preventDefault();
    onSetUp();
  }

  return (
    <section class="grace-banner" aria-label="Two-factor authentication required" data-testid="grace-banner">
      <p>
        Your account requires two-factor authentication <strong title={new Date(dueBy).toLocaleString()}>{dueSentence(dueBy)}</strong>
        {' — '}
        <a href="/setup" onClick={setUp}>
          Set it up now
        </a>
      </p>
    </section>
  );
}
