// A table in a card: while its rows load, a skeleton in its place; nothing when loading failed (the error message
// above it says so). The admin dashboard's members and audit tabs.
import type { ComponentChildren } from 'preact';
import { Skeleton } from './skeleton.tsx';

interface Props {
  /** Whether the rows have arrived. */
  loaded: boolean;
  failed: boolean;
  /** What is loading, for screen readers ("Loading the members"), and how many rows its skeleton draws. */
  loading: [label: string, rows: number];
  tableClass: string;
  testId: string;
  /** The column headings, then a last column's name for screen readers only (its cells hold buttons or details). */
  columns: [...visible: string[], hidden: string];
  /** The table's body. */
  children: ComponentChildren;
}

export function TableCard({ loaded, failed, loading: [label, rows], tableClass, testId, columns, children }: Props) {
  const visible = columns.slice(0, -1);
  if (!loaded)
    return failed ? null : (
      <div class="card">
        <Skeleton label={label} shape="table" rows={rows} />
      </div>
    );
  return (
    <div class="card table-wrap">
      <table class={tableClass} data-testid={testId}>
        <thead>
          <tr>
            {visible.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
            <th scope="col">
              <span class="visually-hidden">{columns.at(-1)}</span>
            </th>
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}
