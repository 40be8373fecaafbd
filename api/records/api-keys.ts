// Account API keys: shown once, stored as SHA-256 hashes, usable only from the account's apiAllowedRanges.
import type { Db } from '../db/db.ts';
import { iso, isoOrNull } from '../db/db.ts';
import { hashToken, randomId, randomToken } from '../crypto/secrets.ts';

export const API_KEY_PREFIX = 'tfk_';

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  key_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
}

export const isApiKey = (bearer: string): boolean => bearer.startsWith(API_KEY_PREFIX);

export async function createApiKey(
  db: Db,
  input: { accountId: string; name: string; createdBy: string; now: number },
): Promise<{ id: string; key: string }> {
  const key = API_KEY_PREFIX + randomToken();
  const id = randomId();
  await db('api_keys').insert({
    id,
    account_id: input.accountId,
    name: input.name,
    key_hash: hashToken(key),
    created_by: input.createdBy,
    created_at: input.now,
  });
  return { id, key };
}

export async function findApiKey(db: Db, key: string): Promise<ApiKeyRow | undefined> {
  return db<ApiKeyRow>('api_keys')
    .where({ key_hash: hashToken(key) })
    .first();
}

export async function touchApiKey(db: Db, id: string, now: number): Promise<void> {
  await db('api_keys').where({ id }).update({ last_used_at: now });
}

export async function listApiKeys(db: Db, accountId: string) {
  const rows = await db<ApiKeyRow>('api_keys').where({ account_id: accountId }).orderBy('created_at', 'desc');
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at), lastUsedAt: isoOrNull(r.last_used_at) }));
}

export async function deleteApiKey(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await db('api_keys').where({ account_id: accountId, id }).delete()) > 0;
}
