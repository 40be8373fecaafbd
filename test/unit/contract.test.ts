// shared/contract.ts holds the names the API, the web app and the extension spell alike. It imports nothing, not
// even its neighbours in shared/, so the web app's sign-in page and the dialer's popup take it without zod
// (test/web/budget.e2e.ts and test/extension/popup.e2e.ts measure those bundles). That shared/ as a whole imports
// nothing of ours is test/unit/architecture.test.ts's.
import { describe, expect, it } from 'vitest';
import { describeEdge, importGraph, importsOf } from '../support/import-graph.ts';

describe('shared/contract.ts', () => {
  it('is imported by all three, through the graph this check reads', () => {
    const importers = importGraph('api', 'web', 'extension')
      .filter((e) => e.file === 'shared/contract.ts')
      .map((e) => e.from.split('/')[0]);
    expect(new Set(importers)).toEqual(new Set(['api', 'web', 'extension']));
  });

  it('imports nothing', () => {
    expect(importsOf('shared/contract.ts').map(describeEdge)).toEqual([]);
  });
});
