// The extension's house rules (extension/README.md, "Layout"), read from the import graph: the manifest names only
// files in entries/, entries/ holds only entry points, library modules never import an entry, the polyfill is
// touched only by lib/browser-api*.ts, and the extension reaches the API and the web app only through shared/.
import { describe, expect, it } from 'vitest';
import { manifestFor, type TargetBrowser } from '../../manifest.config.ts';
import { describeEdge, importGraph, sourceFiles } from '../support/import-graph.ts';

const ENTRIES = 'extension/entries/';
const LIB = 'extension/lib/';
const POLYFILL_WRAPPER = /^extension\/lib\/browser-api[\w-]*\.ts$/;
/** The code that ships in the extension (release/ and vite.extension.ts are build tools that run in Node). */
const shipped = importGraph('extension/entries', 'extension/lib');

/** The files each build's manifest names, besides its icons. */
function namedByManifest(browser: TargetBrowser): string[] {
  const manifest = manifestFor(browser, { server: 'https://twofold.example.com', origins: ['https://twofold.example.com/*'] }) as {
    background: { service_worker?: string; scripts?: string[] };
    action: { default_popup: string };
    options_ui: { page: string };
    content_scripts: { js: string[] }[];
  };
  return [
    ...(manifest.background.service_worker ? [manifest.background.service_worker] : (manifest.background.scripts ?? [])),
    manifest.action.default_popup,
    manifest.options_ui.page,
    ...manifest.content_scripts.flatMap((c) => c.js),
  ];
}

describe('extension layout', () => {
  it('reads the graph it checks (a parser that found nothing would pass every rule below)', () => {
    const edges = shipped.map((e) => `${e.from} -> ${e.file ?? e.pkg}`);
    expect(edges).toContain('extension/entries/background.ts -> extension/lib/browser-api-background.ts');
    expect(edges).toContain('extension/entries/popup/index.html -> extension/entries/pages.tsx');
    expect(edges).toContain('extension/lib/browser-api.ts -> webextension-polyfill');
    expect(edges).toContain('extension/lib/popup/challenge.tsx -> shared/contract.ts');
  });

  it('the manifest names only entry points, and entries/ holds nothing else', () => {
    const named = [...new Set([...namedByManifest('chrome'), ...namedByManifest('firefox')])];
    expect(named.filter((file) => !file.startsWith(ENTRIES))).toEqual([]);
    // An entry page's own script is an entry point too (the popup and the options page share one).
    const pageScripts = shipped.filter((e) => named.includes(e.from) && e.from.endsWith('.html')).map((e) => e.file!);
    const entries = new Set([...named, ...pageScripts]);
    expect(sourceFiles('extension/entries').filter((file) => !entries.has(file))).toEqual([]);
  });

  it('no module imports an entry point (only an entry page loads its script)', () => {
    const intoEntries = shipped.filter((e) => e.file?.startsWith(ENTRIES) && !(e.from.startsWith(ENTRIES) && e.from.endsWith('.html')));
    expect(intoEntries.map(describeEdge)).toEqual([]);
  });

  it('only lib/browser-api*.ts import webextension-polyfill', () => {
    const polyfill = importGraph('extension').filter((e) => e.pkg === 'webextension-polyfill');
    expect(polyfill.filter((e) => !POLYFILL_WRAPPER.test(e.from)).map(describeEdge)).toEqual([]);
  });

  it('the shipped code imports only lib/, shared/ and packages: the API and the web app only through the contract', () => {
    const elsewhere = shipped.filter(
      (e) =>
        e.file !== null &&
        !e.file.startsWith(LIB) &&
        !e.file.startsWith('shared/') &&
        !(e.from.startsWith(ENTRIES) && e.file.startsWith(ENTRIES)),
    );
    expect(elsewhere.map(describeEdge)).toEqual([]);
  });
});
