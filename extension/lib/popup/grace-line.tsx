// The dialer's one-line reminder while the person is in a grace period: 2FA required by a date, and a link that
// opens the web app's setup in a new tab (the popup itself never enrols).
import { describeDue } from '../../../shared/due-date.ts';

export function GraceLine({ dueBy, server }: { dueBy: string; server: string }) {
  const { date, days } = describeDue(dueBy, Date.now(), undefined, 'short');
  const left = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `${days} days`;
  return (
    <p
      class="alert alert--warning grace-line"
      data-testid="grace-line"
      title={`Two-factor authentication required by ${new Date(dueBy).toLocaleString()}`}
    >
      <span class="grace-line__due">
        2FA required by {date} ({left}) —
      </span>{' '}
      <a href={`${server}/setup`} target="_blank" rel="noopener noreferrer">
        Set it up
      </a>
    </p>
  );
}
