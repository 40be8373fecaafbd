// How the web app and the dialer word a 2FA due date: "12 March" and "5 days from now", counted in calendar days of
// the reader's own time zone (so the count matches the date shown, whatever the hour).
export interface DueWords {
  /** "12 March" (with the year when it is not this year's), or the time when it is today. */
  date: string;
  /** "5 days from now", "tomorrow", "today". */
  relative: string;
  /** Whole calendar days from today to the due day (0 on the day itself). */
  days: number;
}

const DAY_MS = 24 * 60 * 60_000;

function dayNumber(d: Date): number {
  return Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY_MS);
}

/** "12 March" ("12 Mar" when short), with the year when it is not this year. */
export function formatDay(iso: string, now: number = Date.now(), locale?: string, month: 'long' | 'short' = 'long'): string {
  const at = new Date(iso);
  const sameYear = at.getFullYear() === new Date(now).getFullYear();
  return at.toLocaleDateString(locale, { day: 'numeric', month, ...(sameYear ? {} : { year: 'numeric' }) });
}

export function describeDue(dueIso: string, now: number = Date.now(), locale?: string, month: 'long' | 'short' = 'long'): DueWords {
  const due = new Date(dueIso);
  const days = Math.max(0, dayNumber(due) - dayNumber(new Date(now)));
  const date = days === 0 ? due.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) : formatDay(dueIso, now, locale, month);
  const relative = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `${days} days from now`;
  return { date, relative, days };
}

/** "by 12 March, 5 days from now" / "by 14:05 today". */
export function dueSentence(dueIso: string, now: number = Date.now(), locale?: string): string {
  const words = describeDue(dueIso, now, locale);
  return words.days === 0 ? `by ${words.date} today` : `by ${words.date}, ${words.relative}`;
}
