// Placeholders shaped like the content on its way (rows of a list, lines of a card), so nothing jumps when it
// arrives. Screen readers hear one "Loading …" instead of grey shapes.
interface Props {
  /** What is loading, for screen readers: "Loading your security settings". */
  label: string;
  /** How many rows to draw. */
  rows?: number;
  /** `card`: a card with a title and lines; `table`: rows of a list; `lines`: a few lines of text; `block`: fills its box. */
  shape?: 'card' | 'table' | 'lines' | 'block';
}

export function Skeleton({ label, rows = 3, shape = 'lines' }: Props) {
  return (
    <div class={`skeleton skeleton--${shape}`} role="status" aria-busy="true" data-testid="skeleton">
      <span class="visually-hidden">{label}…</span>
      {shape === 'card' && <span class="skeleton__title" aria-hidden="true" />}
      {shape === 'block' ? (
        <span class="skeleton__block" aria-hidden="true" />
      ) : (
        Array.from({ length: rows }, (_, i) => <span key={i} class="skeleton__line" aria-hidden="true" />)
      )}
    </div>
  );
}
