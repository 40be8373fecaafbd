// How due dates are worded in the web app and the dialer: calendar days of the reader's time zone, so the count
// always matches the date shown, whatever the hour.
import { describe, expect, it } from 'vitest';
import { describeDue, dueSentence } from '../../shared/due-date.ts';

process.env.TZ = 'UTC';
const at = (s: string) => Date.parse(s);

describe('describeDue', () => {
  it.each([
    ['5 days ahead at the same hour', '2027-03-12T09:00:00Z', '2027-03-07T09:00:00Z', 'by 12 March, 5 days from now'],
    ['5 calendar days ahead though only 4 days and 1 hour', '2027-03-12T00:30:00Z', '2027-03-07T23:30:00Z', 'by 12 March, 5 days from now'],
    ['tomorrow', '2027-03-08T01:00:00Z', '2027-03-07T23:00:00Z', 'by 8 March, tomorrow'],
    ['later today: the time', '2027-03-07T14:05:00Z', '2027-03-07T09:00:00Z', 'by 14:05 today'],
    ['next year: the year', '2028-01-02T09:00:00Z', '2027-12-28T09:00:00Z', 'by 2 January 2028, 5 days from now'],
  ])('%s', (_name, due, now, sentence) => {
    expect(dueSentence(due, at(now), 'en-GB')).toBe(sentence);
  });

  it('never counts below zero, and shortens the month for the dialer', () => {
    expect(describeDue('2027-03-07T08:00:00Z', at('2027-03-09T09:00:00Z'), 'en-GB').days).toBe(0);
    expect(describeDue('2027-03-12T09:00:00Z', at('2027-03-07T09:00:00Z'), 'en-GB', 'short')).toEqual({
      date: '12 Mar',
      relative: '5 days from now',
      days: 5,
    });
  });
});
