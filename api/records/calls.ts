// The dialer's calls: queued by a member's session or an account API key, listed newest first.
import type { Call } from '../../shared/schemas.ts';
import { iso, type Db } from '../db/db.ts';
import { randomId } from '../crypto/secrets.ts';

interface CallRow {
  id: string;
  account_id: string;
  user_id: string | null;
  api_key_id: string | null;
  to_number: string;
  status: 'queued';
  created_at: number;
}

const toCall = (r: CallRow): Call => ({ id: r.id, to: r.to_number, status: r.status, createdAt: iso(r.created_at) });

export async function placeCall(
  db: Db,
  input: { accountId: string; to: string; userId?: string; apiKeyId?: string; now: number },
): Promise<Call> {
  const row: CallRow = {
    id: randomId(),
    account_id: input.accountId,
    user_id: input.userId ?? null,
    api_key_id: input.apiKeyId ?? null,
    to_number: input.to,
    status: 'queued',
    created_at: input.now,
  };
  await db('calls').insert(row);
  return toCall(row);
}

export async function listCalls(db: Db, accountId: string, limit = 50): Promise<Call[]> {
  const rows = await db<CallRow>('calls')
    .where({ account_id: accountId })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit);
  return rows.map(toCall);
}
