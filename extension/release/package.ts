// `npm run package`: builds the Chrome and Firefox extensions from the same sources and writes
// dist/twofold-dialer-chrome-<version>.zip and dist/twofold-dialer-firefox-<version>.zip, reproducibly (zip.ts):
// the Chrome Web Store and addons.mozilla.org take these files as they are. Build-time settings (PUBLIC_URL,
// TWOFOLD_ORIGINS) come from the environment, as for `npm run build`.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, STAMP, type Target } from '../../api/build.ts';
import pkg from '../../package.json' with { type: 'json' };
import { createZip } from './zip.ts';

const builds: Record<'chrome' | 'firefox', Target> = { chrome: 'extension', firefox: 'extension-firefox' };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Zips a built extension folder (its build stamp left out: it says when, not what). */
export function zipFolder(dir: string): Buffer {
  return createZip(
    filesUnder(dir)
      .map((path) => ({ path: relative(dir, path).split(sep).join('/'), data: readFileSync(path) }))
      .filter((entry) => entry.path !== STAMP),
  );
}

export interface PackageOptions {
  /** Where the builds go: <buildRoot>/extension and <buildRoot>/extension-firefox. */
  buildRoot?: string;
  /** Where the zips go. */
  outDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function packageExtensions(options: PackageOptions = {}): Record<'chrome' | 'firefox', string> {
  const buildRoot = options.buildRoot ?? 'dist';
  const outDir = options.outDir ?? 'dist';
  mkdirSync(outDir, { recursive: true });
  const written = {} as Record<'chrome' | 'firefox', string>;
  for (const [browser, target] of Object.entries(builds) as Array<['chrome' | 'firefox', Target]>) {
    const folder = join(buildRoot, target);
    build(target, options.env ?? process.env, folder);
    written[browser] = join(outDir, `twofold-dialer-${browser}-${pkg.version}.zip`);
    writeFileSync(written[browser], zipFolder(folder));
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const written = packageExtensions();
  for (const path of Object.values(written)) console.log(`Wrote ${path} (${statSync(path).size} bytes)`);
}
