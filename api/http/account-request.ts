// What account routes read from a request their guards let through: the account of the path, who is acting, and
// the audit record of what they did there.
import type { Deps } from '../deps.ts';
import { recordEvent, type AuditInput } from '../records/audit.ts';
import type { AppContext } from './route.ts';

/** The account of the path, once the guard has found the caller's membership (or API key) in it. */
export const accountIdOf = (ctx: AppContext): string => ctx.state.accountId!;

/** The signed-in caller and their address, as the flows record them. */
export const actorOf = (ctx: AppContext) => ({ user: ctx.state.user!, ip: ctx.state.ip });

/** Who acts on the account of the path, with which role, from where: what every member-managing flow is given. */
export const accountActorOf = (ctx: AppContext) => ({
  accountId: accountIdOf(ctx),
  actor: ctx.state.user!,
  actorRole: ctx.state.role!,
  ip: ctx.state.ip,
});

/** Records an event in the account of the path, by the caller, about `subjectUserId` (or nobody in particular). */
export function recordAccountEvent(
  { db, clock }: Deps,
  ctx: AppContext,
  type: AuditInput['type'],
  subjectUserId: string | null,
  detail?: AuditInput['detail'],
): Promise<void> {
  return recordEvent(db, {
    type,
    at: clock.now(),
    accountId: accountIdOf(ctx),
    actorUserId: ctx.state.user?.id ?? null,
    subjectUserId,
    ip: ctx.state.ip,
    detail,
  });
}
