// The house's one structural rule (api/README.md): folders import only those below them, so the pure core and the
// records never learn about HTTP, and a newcomer can read api/ from the bottom up. shared/ imports nothing of ours.
// Type-only imports may point anywhere (they vanish at run time); every other import must point down.
import { describe, expect, it } from 'vitest';
import { importsIn, importsOf, sourceFiles, type ImportEdge } from '../support/import-graph.ts';

/** Rank of each part of api/: an import may go to a lower rank, or stay in its own folder. */
const ranks: Record<string, number> = {
  'errors.ts': 0,
  'config.ts': 0,
  crypto: 1,
  db: 1,
  records: 2,
  notify: 3,
  policy: 4,
  factors: 4,
  flows: 5,
  ops: 5,
  http: 6,
  'app.ts': 7,
  'deps.ts': 7,
  'build.ts': 7,
  // The entry points put the rest together.
  'server.ts': 8,
  'migrate.ts': 8,
};
/** Outside api/ and shared/, the only thing api/ may import: the extension's manifest, which the build reads. */
const buildInputs = new Set(['manifest.config.ts']);

/** `api/flows/login.ts` -> `flows`; `api/app.ts` -> `app.ts`; outside api/: null. */
const partOf = (path: string): string | null => (path.startsWith('api/') ? path.split('/')[1]! : null);

/** Every import in api/ that does not point down, as `from -> to`. */
function upwardImports(edges: ImportEdge[]): string[] {
  const upward: string[] = [];
  for (const { from, file: to, typeOnly } of edges) {
    if (typeOnly || to === null) continue;
    const fromPart = partOf(from)!;
    const toPart = partOf(to);
    if (toPart === null) {
      if (!to.startsWith('shared/') && !buildInputs.has(to)) upward.push(`${from} -> ${to} (outside api/ and shared/)`);
    } else if (toPart !== fromPart && ranks[toPart]! >= ranks[fromPart]!) {
      upward.push(`${from} -> ${to}`);
    }
  }
  return upward;
}

describe('the house', () => {
  const files = sourceFiles('api').filter((f) => !f.includes('/db/migrations/'));

  it('knows every part of api/', () => {
    expect([...new Set(files.map((f) => partOf(f)!))].filter((p) => !(p in ranks))).toEqual([]);
  });

  it('api/ imports only go down (http -> flows/ops -> policy/factors -> notify -> records -> db/crypto)', () => {
    expect(upwardImports(files.flatMap(importsOf))).toEqual([]);
  });

  it('would catch a record that reached up into HTTP, a value import hidden among types, or a sibling import', () => {
    expect(
      upwardImports([
        ...importsIn('api/records/users.ts', "import { route } from '../http/route.ts';"),
        ...importsIn('api/notify/email.ts', "import { type Deps, createDeps } from '../deps.ts';"),
        ...importsIn('api/policy/policy.ts', "import { checkCodeAttempt } from '../factors/code-attempt.ts';"),
        ...importsIn(
          'api/records/sessions.ts',
          "import type { Route } from '../http/route.ts';\nimport { randomId } from '../crypto/secrets.ts';",
        ),
      ]),
    ).toEqual([
      'api/records/users.ts -> api/http/route.ts',
      'api/notify/email.ts -> api/deps.ts',
      'api/policy/policy.ts -> api/factors/code-attempt.ts',
    ]);
  });

  it('shared/ is a leaf: it imports nothing from api/, web/ or extension/', () => {
    const leaks = sourceFiles('shared')
      .flatMap(importsOf)
      .filter((e) => e.file !== null && !e.file.startsWith('shared/'))
      .map((e) => `${e.from} -> ${e.file}`);
    expect(leaks).toEqual([]);
  });
});
