// The house's one structural rule (api/README.md): folders import only those below them, so the pure core and the
// records never learn about HTTP, and a newcomer can read api/ from the bottom up. shared/ imports nothing of ours.
// Type-only imports may point anywhere (they vanish at run time); every other import must point down.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Rank of each part of api/: an import may go to a lower rank, or stay in its own folder. */
const ranks: Record<string, number> = {
  'errors.ts': 0, 'config.ts': 0,
  crypto: 1, db: 1,
  records: 2,
  notify: 3,
  policy: 4, factors: 4,
  flows: 5, ops: 5,
  http: 6,
  'app.ts': 7, 'deps.ts': 7, 'build.ts': 7,
  // The entry points put the rest together.
  'server.ts': 8, 'migrate.ts': 8,
};
/** Outside api/ and shared/, the only thing api/ may import: the extension's manifest, which the build reads. */
const buildInputs = new Set(['manifest.config.ts']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Relative value imports (and re-exports) in a file's source, resolved to repository paths. */
function valueImports(path: string, source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    if (m[1]) continue;
    found.push(normalize(join(dirname(path), m[2]!)));
  }
  return found;
}

/** `api/flows/login.ts` -> `flows`; `api/app.ts` -> `app.ts`; outside api/: null. */
const partOf = (path: string): string | null => (path.startsWith('api/') ? path.split('/')[1]! : null);

/** Every import in api/ that does not point down, as `from -> to`. */
function upwardImports(files: { path: string; source: string }[]): string[] {
  const upward: string[] = [];
  for (const { path: from, source } of files) {
    const fromPart = partOf(from)!;
    for (const to of valueImports(from, source)) {
      const toPart = partOf(to);
      if (toPart === null) {
        if (!to.startsWith('shared/') && !buildInputs.has(to)) upward.push(`${from} -> ${to} (outside api/ and shared/)`);
      } else if (toPart !== fromPart && ranks[toPart]! >= ranks[fromPart]!) {
        upward.push(`${from} -> ${to}`);
      }
    }
  }
  return upward;
}

const read = (dir: string) => filesUnder(join(root, dir)).map((f) => ({ path: relative(root, f), source: readFileSync(f, 'utf8') }));

describe('the house', () => {
  const api = read('api').filter((f) => !f.path.includes('/db/migrations/'));

  it('knows every part of api/', () => {
    expect([...new Set(api.map((f) => partOf(f.path)!))].filter((p) => !(p in ranks))).toEqual([]);
  });

  it('api/ imports only go down (http -> flows/ops -> policy/factors -> notify -> records -> db/crypto)', () => {
    expect(upwardImports(api)).toEqual([]);
  });

  it('would catch a record that reached up into HTTP, a value import hidden among types, or a sibling import', () => {
    expect(upwardImports([
      { path: 'api/records/users.ts', source: "import { route } from '../http/route.ts';" },
      { path: 'api/notify/email.ts', source: "import { type Deps, createDeps } from '../deps.ts';" },
      { path: 'api/policy/policy.ts', source: "import { checkCodeAttempt } from '../factors/code-attempt.ts';" },
      { path: 'api/records/sessions.ts', source: "import type { Route } from '../http/route.ts';\nimport { randomId } from '../crypto/secrets.ts';" },
    ])).toEqual(['api/records/users.ts -> api/http/route.ts', 'api/notify/email.ts -> api/deps.ts', 'api/policy/policy.ts -> api/factors/code-attempt.ts']);
  });

  it('shared/ is a leaf: it imports nothing from api/, web/ or extension/', () => {
    const leaks = read('shared').flatMap((f) => valueImports(f.path, f.source).filter((to) => !to.startsWith('shared/')).map((to) => `${f.path} -> ${to}`));
    expect(leaks).toEqual([]);
  });
});
