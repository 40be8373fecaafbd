// Builds the web app and the extension (Chrome and Firefox) with Vite when their build is missing, older than
// their sources, or made with other build-time settings. `npm start` calls ensureBuilt(); `npm run build` forces all,
// and also compiles the API (and the shared/ code it imports) to JavaScript in dist/ (buildServer) for the
// production start, `NODE_ENV=production node --max-semi-space-size=2 dist/api/server.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extensionSettings } from '../manifest.config.ts';

const extensionSources = ['extension', 'shared', 'manifest.config.ts', 'vite.config.ts', 'package.json'];

export const targets = {
  web: { outDir: 'dist/web', sources: ['web', 'shared', 'vite.config.ts', 'package.json'] },
  extension: { outDir: 'dist/extension', sources: extensionSources },
  'extension-firefox': { outDir: 'dist/extension-firefox', sources: extensionSources },
} as const;
export type Target = keyof typeof targets;

/** Written beside each build, never packaged: what it was built with, and when. */
export const STAMP = '.build-stamp';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

/** The build-time settings a target depends on, as text to compare with the stamp's. */
function settingsOf(target: Target, env: NodeJS.ProcessEnv): string {
  return target === 'web' ? '' : JSON.stringify(extensionSettings(env));
}

export function isStale(target: Target, env: NodeJS.ProcessEnv = process.env): boolean {
  const { outDir, sources } = targets[target];
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp)) return true;
  if (readStampSettings(stamp) !== settingsOf(target, env)) return true;
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

function readStampSettings(stamp: string): string {
  try {
    return (JSON.parse(readFileSync(stamp, 'utf8')) as { settings?: string }).settings ?? '';
  } catch {
    return '';
  }
}

/** Builds one target; `outDir` builds it elsewhere (packaging into a temporary folder). */
export function build(target: Target, env: NodeJS.ProcessEnv = process.env, outDir: string = targets[target].outDir): void {
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--mode', target, '--logLevel', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // Always a production build, even when a test runner set NODE_ENV=test (else Vite embeds source paths).
    env: { ...env, NODE_ENV: 'production', TWOFOLD_OUT_DIR: resolve(outDir) },
  });
  if (result.status !== 0) throw new Error(`building ${target} failed (vite exited with ${result.status})`);
  writeFileSync(join(outDir, STAMP), JSON.stringify({ builtAt: new Date().toISOString(), settings: settingsOf(target, env) }));
}

export function ensureBuilt(options: { force?: boolean; env?: NodeJS.ProcessEnv; only?: Target[] } = {}): void {
  const env = options.env ?? process.env;
  for (const target of options.only ?? (Object.keys(targets) as Target[])) {
    if (options.force || isStale(target, env)) {
      console.log(`Building ${target}…`);
      build(target, env);
    }
  }
}

/** What buildServer writes into dist/ (tsconfig.build.json: api/server.ts and api/migrate.ts and all they import). */
export const serverOutputs = ['api', 'shared', 'manifest.config.js', 'package.json'] as const;

/** The node flags of the production start (README). V8 lets its young generation grow to 16 MB a semi-space (48 MB
 * in all) when a process allocates fast, as the code checks do: 125-132 MB of RSS under that load against 98 under
 * session checks. Capped at 4 MB the same load reached 123 MB once sign-ins got faster; at 2 MB, 106-113 MB, with no
 * cost the bench can see (bench/README.md). */
export const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=2'] as const;

/** Compiles the API to JavaScript with tsc (tsconfig.build.json: `./x.ts` imports rewritten to `./x.js`), after
 * removing the previous output so no file of a deleted source lingers. */
export function buildServer(outDir = 'dist'): void {
  for (const name of serverOutputs) rmSync(join(outDir, name), { recursive: true, force: true });
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`compiling the API failed (tsc exited with ${result.status})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  ensureBuilt({ force });
  if (force || process.argv.includes('--server')) {
    console.log('Building the API (dist/api)…');
    buildServer();
  }
}
