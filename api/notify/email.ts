// Emails Twofold sends that carry no code: notices of security events, setup instructions, invitations.
// A notice that cannot be delivered is logged and does not undo the action it reports.
import type { Deps } from '../deps.ts';

export async function sendNotice(deps: Deps, to: string, subject: string, body: string): Promise<void> {
  try {
    await deps.senders.email.send({ to, subject, body, code: null });
  } catch (err) {
    deps.log.warn({ reason: (err as Error).message, subject }, 'notice not delivered');
  }
}

export async function sendNotices(deps: Deps, recipients: string[], subject: string, body: string): Promise<void> {
  await Promise.all([...new Set(recipients)].map((to) => sendNotice(deps, to, subject, body)));
}
