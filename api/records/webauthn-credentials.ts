// The rows of security keys and passkeys: registered credentials (`webauthn_credentials`) and the ceremony
// challenges waiting for a key's answer (`webauthn_challenges`). The only writer of both tables.
import type { SecurityKey } from '../../shared/webauthn.ts';
import { affected, isoOrNull, iso, toBool, type Db } from '../db/db.ts';
import { enableFactorOnce, lockFactor } from './factors.ts';
import { isUniqueViolation } from './users.ts';

export interface CredentialRow {
  id: string;
  user_id: string;
  method: 'webauthn';
  public_key: string;
  sign_count: number;
  transports: string;
  name: string;
  aaguid: string | null;
  backed_up: boolean | number;
  created_at: number;
  last_used_at: number | null;
}

export const publicKey = (c: CredentialRow): SecurityKey => ({
  id: c.id,
  name: c.name,
  createdAt: iso(c.created_at),
  lastUsedAt: isoOrNull(c.last_used_at),
});
export const transportsOf = (c: CredentialRow): string[] => JSON.parse(c.transports) as string[];
export const isBackedUp = (c: CredentialRow): boolean => toBool(c.backed_up);

export async function listCredentials(db: Db, userId: string): Promise<CredentialRow[]> {
  return db<CredentialRow>('webauthn_credentials').where({ user_id: userId }).orderBy('created_at');
}

/** A credential of this user, or undefined (another user's credential is not found). */
export async function findCredential(db: Db, userId: string, credentialId: string): Promise<CredentialRow | undefined> {
  if (credentialId.length > 1400) return undefined;
  return db<CredentialRow>('webauthn_credentials').where({ id: credentialId, user_id: userId }).first();
}

export interface NewCredential {
  id: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  name: string;
  aaguid: string | null;
  backedUp: boolean;
}

/** Saves a verified credential, turning the method on (the user's `webauthn` factors row) if it was off.
 * Returns whether the method was newly turned on, or null when the credential ID is already registered. */
export async function insertCredential(db: Db, userId: string, c: NewCredential, now: number): Promise<{ methodTurnedOn: boolean } | null> {
  if (await db('webauthn_credentials').where({ id: c.id }).first('id')) return null;
  try {
    return await db.transaction(async (trx) => {
      // Two first keys added at once: one creates the row, the other waits for its lock and sees the method on.
      const methodTurnedOn = await enableFactorOnce(trx, userId, 'webauthn', now);
      await trx('webauthn_credentials').insert({
        id: c.id,
        user_id: userId,
        method: 'webauthn',
        public_key: c.publicKey,
        sign_count: c.signCount,
        transports: JSON.stringify(c.transports),
        name: c.name,
        aaguid: c.aaguid,
        backed_up: c.backedUp,
        created_at: now,
        last_used_at: null,
      });
      return { methodTurnedOn };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null; // the same credential ID, registered by a racing request
    throw err;
  }
}

/** Records a verified use: the new signature counter and the time. Conditional on the counter read before the
 * check, so of two racing uses of one counter value only one is accepted (false: the other one). */
export async function recordCredentialUse(
  db: Db,
  c: CredentialRow,
  use: { signCount: number; backedUp: boolean; now: number },
): Promise<boolean> {
  const n = await db('webauthn_credentials')
    .where({ id: c.id, user_id: c.user_id, sign_count: c.sign_count })
    .update({ sign_count: use.signCount, backed_up: use.backedUp, last_used_at: use.now });
  return affected(n) > 0;
}

export async function renameCredential(db: Db, userId: string, credentialId: string, name: string): Promise<boolean> {
  return affected(await db('webauthn_credentials').where({ id: credentialId, user_id: userId }).update({ name })) > 0;
}

/** Deletes one key when the user keeps at least one other; 'last' when it is their only key (the caller removes the
 * method instead, under the requirement rules), 'missing' when it is not theirs. Counted under a lock on the user's
 * factors row, so two racing removals cannot both leave the method on with no key. */
export async function deleteCredentialUnlessLast(db: Db, userId: string, credentialId: string): Promise<'deleted' | 'last' | 'missing'> {
  return db.transaction(async (trx) => {
    await lockFactor(trx, userId, 'webauthn');
    const keys = await trx('webauthn_credentials').where({ user_id: userId }).select('id');
    if (!keys.some((k: { id: string }) => k.id === credentialId)) return 'missing';
    if (keys.length === 1) return 'last';
    await trx('webauthn_credentials').where({ id: credentialId, user_id: userId }).delete();
    return 'deleted';
  });
}

// ---- ceremony challenges ----

/** Keeps the challenge of a new ceremony; it replaces any earlier one for the same purpose. */
export async function saveCeremonyChallenge(
  db: Db,
  input: { userId: string; purpose: string; challenge: string; now: number; expiresAt: number },
): Promise<void> {
  const values = { challenge: input.challenge, created_at: input.now, expires_at: input.expiresAt };
  // Ceremonies nobody answered are dropped as the user starts new ones.
  await db('webauthn_challenges').where({ user_id: input.userId }).where('expires_at', '<=', input.now).delete();
  await db('webauthn_challenges')
    .insert({ user_id: input.userId, purpose: input.purpose, ...values })
    .onConflict(['user_id', 'purpose'])
    .merge(values);
}

/** Takes the ceremony's challenge once: the row goes whatever the key's answer turns out to be, so an answer
 * (right or wrong) can never be tried twice. Null when there is none, it expired, or a racing request took it. */
export async function consumeCeremonyChallenge(db: Db, userId: string, purpose: string, now: number): Promise<string | null> {
  const row = await db('webauthn_challenges').where({ user_id: userId, purpose }).first('challenge', 'expires_at');
  if (!row) return null;
  const taken = await db('webauthn_challenges').where({ user_id: userId, purpose, challenge: row.challenge }).delete();
  return affected(taken) > 0 && Number(row.expires_at) > now ? String(row.challenge) : null;
}
