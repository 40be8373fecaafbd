// The import graph of the source tree, read from the files themselves, for the layout checks: top-level
// `import … from`, `export … from` and side-effect imports, dynamic `import('…')`, and the `<script src>` of HTML
// pages. Relative imports resolve to repository paths (a `?inline` or other query dropped); the rest are packages.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface ImportEdge {
  /** The importing file, relative to the repository (`extension/lib/vault.ts`). */
  from: string;
  specifier: string;
  /** The imported file, relative to the repository, for a relative specifier; null for a package. */
  file: string | null;
  /** The package name (`webextension-polyfill`, `@scope/name`), or null for a relative specifier. */
  pkg: string | null;
  typeOnly: boolean;
}

const SOURCE = /\.(ts|tsx|html)$/;
// `import`/`export` at the start of a line, then an import clause or export list, then the specifier. The clause
// grammar is spelled out so that `export const x = …` never runs on into a later statement's `from '…'`.
const STATIC =
  /^(?:import|export)\s+(type\s+)?(?:(?:\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?|\{[^}]*\})\s+from\s+)?['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;
const SCRIPT = /<script\b[^>]*\bsrc="([^"]+)"/g;

/** Every .ts, .tsx and .html file under `dir` (relative to the repository), sorted. */
export function sourceFiles(dir: string): string[] {
  const walk = (rel: string): string[] =>
    readdirSync(join(ROOT, rel), { withFileTypes: true }).flatMap((entry) => {
      const path = posix.join(rel, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path);
      return SOURCE.test(entry.name) ? [path] : [];
    });
  return walk(dir).sort();
}

function edge(from: string, specifier: string, typeOnly: boolean): ImportEdge {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const bare = specifier.replace(/\?.*$/, '');
    const absolute = bare.startsWith('/') ? join(ROOT, bare) : resolve(ROOT, dirname(from), bare);
    return { from, specifier, file: relative(ROOT, absolute).split('\\').join('/'), pkg: null, typeOnly };
  }
  const parts = specifier.split('/');
  const pkg = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return { from, specifier, file: null, pkg, typeOnly };
}

/** What one file imports. */
export function importsOf(file: string): ImportEdge[] {
  return importsIn(file, readFileSync(join(ROOT, file), 'utf8'));
}

/** What a file with this text would import (the layout checks test themselves with made-up files). */
export function importsIn(file: string, text: string): ImportEdge[] {
  if (file.endsWith('.html')) return [...text.matchAll(SCRIPT)].map((m) => edge(file, m[1]!, false));
  return [
    ...[...text.matchAll(STATIC)].map((m) => edge(file, m[2]!, Boolean(m[1]))),
    ...[...text.matchAll(DYNAMIC)].map((m) => edge(file, m[1]!, false)),
  ];
}

/** Every import of every source file under the given folders. */
export function importGraph(...dirs: string[]): ImportEdge[] {
  return dirs.flatMap(sourceFiles).flatMap(importsOf);
}

export const describeEdge = (e: ImportEdge) => `${e.from} imports ${e.specifier}`;
