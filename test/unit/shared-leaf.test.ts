// shared/ is what the API, the web app and the extension all import, so it imports none of them (no cycle, and no
// server code in a browser bundle); its contract constants import nothing at all, so the web app's sign-in page and
// the dialer's popup take them without zod (test/web/budget.e2e.ts, test/extension/popup.e2e.ts measure those).
import { describe, expect, it } from 'vitest';
import { describeEdge, importGraph, importsOf } from '../support/import-graph.ts';

describe('shared/ is a leaf', () => {
  const edges = importGraph('shared');

  it('reads the graph it checks', () => {
    expect(edges.map((e) => `${e.from} -> ${e.file ?? e.pkg}`)).toEqual(expect.arrayContaining(['shared/schemas.ts -> zod', 'shared/schemas.ts -> shared/contract.ts']));
  });

  it('imports nothing from api/, web/ or extension/', () => {
    expect(edges.filter((e) => e.file !== null && !e.file.startsWith('shared/')).map(describeEdge)).toEqual([]);
  });

  it('shared/contract.ts imports nothing', () => {
    expect(importsOf('shared/contract.ts').map(describeEdge)).toEqual([]);
  });
});
