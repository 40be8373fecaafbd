// Hourly caps on the codes Twofold texts and emails, chosen so that one user's sends never block another
// user's login codes, while nobody can use Twofold to text numbers at will (SMS pumping):
// - per user, every send: only someone with the user's password (a challenge) or session can spend it;
// - per client address and per destination, only sends to a destination not yet verified (enrolment): a login or
//   reauth code goes to the user's own verified factor, so throw-away users texting a victim's number cannot
//   exhaust the victim's login texts;
// - per country calling code, every SMS: a ceiling (SMS_HOURLY_LIMIT_PER_COUNTRY) against pumping through many
//   users and addresses. Reaching it stops texts to that country for everyone, on purpose: it is a circuit
//   breaker, logged as an error so that operators look; the app, backup codes and email still work.
// A send is recorded first and counted after, so parallel sends cannot all slip under a cap; a refused one is
// removed again, audited (code_send.refused) and answered 429 with Retry-After.
import type { Knex } from 'knex';
import type { Deps } from '../deps.ts';
import { tooManyAttempts } from '../errors.ts';
import { recordEvent } from '../records/audit.ts';
import { phoneCountryCode } from '../notify/sms.ts';

export const SENDS_PER_HOUR_PER_USER = 5;
export const UNVERIFIED_SENDS_PER_HOUR_PER_DESTINATION = 5;
export const UNVERIFIED_SENDS_PER_HOUR_PER_ADDRESS = 20;
const HOUR_MS = 60 * 60_000;

export interface SendToCount {
  userId: string;
  channel: 'sms' | 'email';
  destination: string;
  /** The user's own enabled factor (login, reauth, confirmation codes); false while enrolling a destination. */
  verified: boolean;
  ip: string;
}

type Scope = 'user' | 'address' | 'destination' | 'country';

/** Records the send, or throws 429 too_many_attempts when it would pass a cap (and records nothing). */
export async function reserveSend(deps: Deps, send: SendToCount, now: number): Promise<void> {
  const { db } = deps;
  const countryCode = send.channel === 'sms' ? phoneCountryCode(send.destination) : null;
  const [row] = await db('code_sends')
    .insert({
      user_id: send.userId,
      channel: send.channel,
      destination: send.destination,
      at: now,
      ip: send.ip,
      verified: send.verified,
      country_code: countryCode,
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  const caps: [Scope, number, (q: Knex.QueryBuilder) => Knex.QueryBuilder][] = [
    ['user', SENDS_PER_HOUR_PER_USER, (q) => q.where({ user_id: send.userId })],
  ];
  if (!send.verified) {
    caps.push(['address', UNVERIFIED_SENDS_PER_HOUR_PER_ADDRESS, (q) => q.where({ ip: send.ip, verified: false })]);
    caps.push([
      'destination',
      UNVERIFIED_SENDS_PER_HOUR_PER_DESTINATION,
      (q) => q.where({ destination: send.destination, verified: false }),
    ]);
  }
  if (countryCode)
    caps.push(['country', deps.config.smsHourlyLimitPerCountry, (q) => q.where({ channel: 'sms', country_code: countryCode })]);

  for (const [scope, cap, narrow] of caps) {
    const earlier = () =>
      narrow(db('code_sends'))
        .where('at', '>', now - HOUR_MS)
        .whereNot({ id });
    const count = Number((await earlier().count({ n: '*' }).first())?.n ?? 0);
    if (count < cap) continue;
    await db('code_sends').where({ id }).delete();
    await reportRefusal(deps, send, scope, countryCode, now);
    // Free again when enough of this hour's sends have aged out of it: the (count - cap + 1)th oldest.
    const freedBy = await earlier()
      .orderBy('at')
      .offset(count - cap)
      .first('at');
    throw tooManyAttempts(
      (Number(freedBy?.at ?? now) + HOUR_MS - now) / 1000,
      'Too many codes were sent in the last hour. Please try again later.',
    );
  }
}

async function reportRefusal(deps: Deps, send: SendToCount, scope: Scope, countryCode: string | null, now: number): Promise<void> {
  const detail = { scope, channel: send.channel, ...(countryCode ? { countryCode } : {}) };
  await recordEvent(deps.db, {
    type: 'code_send.refused',
    at: now,
    actorUserId: send.userId,
    subjectUserId: send.userId,
    ip: send.ip,
    detail,
  });
  if (scope === 'country') deps.log.error(detail, 'SMS ceiling reached for a country: possible SMS pumping');
  else deps.log.warn(detail, 'code send refused');
}
