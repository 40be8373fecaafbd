// The audit log: newest first, in sentences ("Grace Hopper required 2FA of Alan Turing"), the detail on expand,
// filters by event type (every type, always) and by person, paging with "Load more", and a CSV export of
// everything the filters match.
import { useEffect, useState } from 'preact/hooks';
import type { AuditEvent, Member } from '../../../shared/schemas.ts';
import { api, describeError } from '../../api-client.ts';
import { ErrorMessage } from '../../components/alert.tsx';
import { TableCard } from '../../components/table-card.tsx';
import { useReconnect } from '../../connection.ts';
import { formatDate } from '../../labels.ts';
import { describeEvent, detailLines, eventGroups, eventKinds, eventLabel, withKeyNames } from './audit-words.ts';

interface Page {
  events: AuditEvent[];
  nextCursor: string | null;
}

/** At most this many events go into one CSV file. */
export const CSV_LIMIT = 10_000;

export function AuditTab({ accountId }: { accountId: string }) {
  const base = `/accounts/${encodeURIComponent(accountId)}`;
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [type, setType] = useState('');
  const [userId, setUserId] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const query = (after: string | null) => {
    const q = new URLSearchParams();
    if (after) q.set('cursor', after);
    if (type) q.set('type', type);
    if (userId) q.set('userId', userId);
    return `${base}/audit-events${q.size ? `?${q}` : ''}`;
  };

  async function fetchPage(after: string | null, reset: boolean) {
    setBusy(true);
    setError('');
    if (reset) setEvents(null);
    try {
      const page = await api<Page>('GET', query(after));
      setEvents((old) => (reset || !old ? page.events : [...old, ...page.events]));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeError(e));
    }
    setBusy(false);
  }
  useEffect(() => {
    void fetchPage(null, true);
  }, [accountId, type, userId]);
  useEffect(() => {
    api<Member[]>('GET', `${base}/members`).then(setMembers, () => setMembers([]));
  }, [accountId]);
  useReconnect(() => {
    if (!events) void fetchPage(null, true);
  });

  const names = new Map(members.map((m) => [m.userId, m.name]));
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  // The API may ignore the filters; apply them here too so the list always matches what is chosen.
  const shown = withKeyNames(events ?? []).filter(
    (e) => (!type || e.type.startsWith(type)) && (!userId || e.actorUserId === userId || e.subjectUserId === userId),
  );
  const unknownType = type && !eventKinds[type];

  async function exportCsv() {
    setExporting(true);
    setError('');
    try {
      const all: AuditEvent[] = [];
      let after: string | null = null;
      do {
        const page: Page = await api<Page>('GET', query(after));
        all.push(...page.events);
        after = page.nextCursor;
      } while (after && all.length < CSV_LIMIT);
      downloadText(
        `twofold-audit-log-${new Date().toISOString().slice(0, 10)}.csv`,
        auditCsv(withKeyNames(all.slice(0, CSV_LIMIT)), nameOf),
        'text/csv',
      );
    } catch (e) {
      setError(describeError(e));
    }
    setExporting(false);
  }

  return (
    <section aria-labelledby="audit-title">
      <div class="card__head">
        <h2 id="audit-title">Audit log</h2>
        <button type="button" class="button button--secondary button--small" disabled={exporting} onClick={exportCsv}>
          {exporting ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      <div class="filters">
        <div class="field">
          <label for="audit-type">Event type</label>
          <select id="audit-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">All events</option>
            {eventGroups().map((g) => (
              <optgroup key={g.group} label={g.group}>
                {g.types.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.label}
                  </option>
                ))}
              </optgroup>
            ))}
            {unknownType && <option value={type}>{eventLabel(type)}</option>}
          </select>
        </div>
        <div class="field">
          <label for="audit-user">Person</label>
          <select id="audit-user" value={userId} onChange={(e) => setUserId((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">Everyone</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorMessage>
        {error && (
          <>
            {error}{' '}
            {!events && (
              <button type="button" class="link-button" onClick={() => fetchPage(null, true)}>
                Try again
              </button>
            )}
          </>
        )}
      </ErrorMessage>
      <TableCard
        loaded={!!events}
        failed={!!error}
        loading={['Loading the audit log', 6]}
        tableClass="stack-table audit-table"
        testId="audit-table"
        columns={['When', 'What happened', 'Address', 'Details']}
      >
        {shown.map((e) => {
          const expanded = open === e.id;
          return (
            <tbody key={e.id} class="audit-event" data-event={e.type}>
              <tr>
                <td class="audit-event__when">{formatDate(e.at)}</td>
                <td>
                  <span class="audit-event__what">{describeEvent(e, nameOf)}</span>
                  <span class="item__meta">{eventLabel(e.type)}</span>
                </td>
                <td>{e.ip ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    class="link-button"
                    aria-expanded={expanded}
                    aria-controls={`event-${e.id}`}
                    onClick={() => setOpen(expanded ? null : e.id)}
                  >
                    {expanded ? 'Hide details' : 'Details'}
                  </button>
                </td>
              </tr>
              {expanded && (
                <tr class="audit-event__detail" id={`event-${e.id}`}>
                  <td colSpan={4}>
                    <EventDetail event={e} nameOf={nameOf} />
                  </td>
                </tr>
              )}
            </tbody>
          );
        })}
        {shown.length === 0 && (
          <tbody>
            <tr>
              <td colSpan={4} class="muted">
                No events match.
              </td>
            </tr>
          </tbody>
        )}
      </TableCard>
      {events && (
        <div class="button-row">
          {cursor && (
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => fetchPage(cursor, false)}>
              {busy ? 'Loading…' : 'Load more'}
            </button>
          )}
          <span class="hint" role="status">
            {shown.length} event{shown.length === 1 ? '' : 's'} shown{cursor ? '; older ones follow' : ''}.
          </span>
        </div>
      )}
    </section>
  );
}

function EventDetail({ event, nameOf }: { event: AuditEvent; nameOf(id: string | null): string | null }) {
  const who = (id: string | null) => (id ? `${nameOf(id) ?? 'a former member'} (${id})` : '—');
  const lines: [string, string][] = [
    [
      'Time',
      new Date(event.at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    ],
    ['Event type', event.type],
    ['By', who(event.actorUserId)],
    ['About', who(event.subjectUserId)],
    ['Address', event.ip ?? '—'],
    ...detailLines(event.detail),
  ];
  return (
    <dl class="detail-list">
      {lines.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A CSV cell: quoted, and never read as a formula by a spreadsheet (CSV injection). */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function auditCsv(events: AuditEvent[], nameOf: (id: string | null) => string | null): string {
  const header = ['Time (UTC)', 'Event type', 'What happened', 'By', 'By (user id)', 'About', 'About (user id)', 'Address', 'Detail'];
  const rows = events.map((e) => [
    e.at,
    e.type,
    describeEvent(e, nameOf),
    nameOf(e.actorUserId) ?? '',
    e.actorUserId ?? '',
    nameOf(e.subjectUserId) ?? '',
    e.subjectUserId ?? '',
    e.ip ?? '',
    JSON.stringify(e.detail),
  ]);
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
