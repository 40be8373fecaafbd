// Invitations (the `invitations` table): a token kept as a hash, 7 days, single use, revocable. Only the
// invitations flow (flows/invitations.ts) writes them, through these functions.
import type { Role } from '../../shared/schemas.ts';
import { affected, type Db } from '../db/db.ts';
import { hashToken } from '../crypto/secrets.ts';

export interface InvitationRow {
  id: string;
  account_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

function pendingQuery(db: Db, now: number) {
  return db<InvitationRow>('invitations').whereNull('accepted_at').whereNull('revoked_at').where('expires_at', '>', now);
}

export async function findPendingByToken(db: Db, token: string, now: number): Promise<InvitationRow | undefined> {
  if (token.length > 100) return undefined;
  return pendingQuery(db, now)
    .where({ token_hash: hashToken(token) })
    .first();
}

export async function findPendingOfAccount(
  db: Db,
  accountId: string,
  invitationId: string,
  now: number,
): Promise<InvitationRow | undefined> {
  return pendingQuery(db, now).where({ id: invitationId, account_id: accountId }).first();
}

export async function listPendingOfAccount(db: Db, accountId: string, now: number): Promise<InvitationRow[]> {
  return pendingQuery(db, now).where({ account_id: accountId }).orderBy('created_at', 'desc');
}

export async function insertInvitation(db: Db, row: InvitationRow): Promise<void> {
  await db('invitations').insert(row);
}

/** A new invitation for an address replaces the pending one. */
export async function revokePendingFor(db: Db, accountId: string, email: string, now: number): Promise<void> {
  await pendingQuery(db, now).where({ account_id: accountId, email }).update({ revoked_at: now });
}

/** Marks the invitation accepted; false when another request used, revoked or replaced it first (single use). */
export async function claimInvitation(db: Db, id: string, now: number): Promise<boolean> {
  return affected(await pendingQuery(db, now).where({ id }).update({ accepted_at: now })) > 0;
}

export async function revokeInvitation(db: Db, id: string, now: number): Promise<boolean> {
  return affected(await pendingQuery(db, now).where({ id }).update({ revoked_at: now })) > 0;
}

/** A new token and expiry for a pending invitation (its old link stops working). */
export async function renewInvitation(
  db: Db,
  id: string,
  renewed: Pick<InvitationRow, 'token_hash' | 'expires_at' | 'invited_by'>,
  now: number,
): Promise<boolean> {
  return affected(await pendingQuery(db, now).where({ id }).update(renewed)) > 0;
}
