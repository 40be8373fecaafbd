// The audit log: newest first, filtered by type and user, with "Load more".
import { useEffect, useState } from 'preact/hooks';
import type { AuditEvent, Member } from '../../../shared/schemas.ts';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { formatDate } from '../../labels.ts';

interface Page { events: AuditEvent[]; nextCursor: string | null }

export function AuditTab({ accountId }: { accountId: string }) {
  const base = `/accounts/${encodeURIComponent(accountId)}`;
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [type, setType] = useState('');
  const [userId, setUserId] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function fetchPage(after: string | null, reset: boolean) {
    setBusy(true);
    setError('');
    const query = new URLSearchParams();
    if (after) query.set('cursor', after);
    if (type) query.set('type', type);
    if (userId) query.set('userId', userId);
    try {
      const page = await api<Page>('GET', `${base}/audit-events${query.size ? `?${query}` : ''}`);
      setEvents((old) => (reset || !old ? page.events : [...old, ...page.events]));
      setCursor(page.nextCursor);
    } catch (e) { setError(describeError(e)); }
    setBusy(false);
  }
  useEffect(() => { void fetchPage(null, true); }, [accountId, type, userId]);
  useEffect(() => { api<Member[]>('GET', `${base}/members`).then(setMembers, () => setMembers([])); }, [accountId]);

  const names = new Map(members.map((m) => [m.userId, m.name]));
  const who = (id: string | null) => (id ? names.get(id) ?? id : '—');
  const types = [...new Set([...(events ?? []).map((e) => e.type), ...(type ? [type] : [])])].sort();
  // The API may ignore the filters; apply them here too so the list always matches what is chosen.
  const shown = (events ?? []).filter((e) => (!type || e.type === type) && (!userId || e.actorUserId === userId || e.subjectUserId === userId));
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div class="filters">
        <div class="field">
          <label for="audit-type">Event type</label>
          <select id="audit-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">All events</option>
            {types.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="audit-user">User</label>
          <select id="audit-user" value={userId} onChange={(e) => setUserId((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">Everyone</option>
            {members.map((m) => <option key={m.userId} value={m.userId}>{m.name}</option>)}
          </select>
        </div>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      <div class="card table-wrap">
        <table class="stack-table" data-testid="audit-table">
          <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">About</th><th scope="col">Address</th></tr></thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.at)}</td><td><code>{e.type}</code></td><td>{who(e.actorUserId)}</td><td>{who(e.subjectUserId)}</td><td>{e.ip ?? '—'}</td>
              </tr>
            ))}
            {events && shown.length === 0 && <tr><td colSpan={5} class="muted">No events match.</td></tr>}
          </tbody>
        </table>
        {!events && <p class="muted">Loading…</p>}
      </div>
      {cursor && <button type="button" class="button button--secondary" disabled={busy} onClick={() => fetchPage(cursor, false)}>Load more</button>}
    </section>
  );
}
