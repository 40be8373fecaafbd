// Builds the web app and the extension with Vite when their build is missing or older than their sources.
// `npm start` calls ensureBuilt(); `npm run build` forces both.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const targets = {
  web: { outDir: 'dist/web', sources: ['web', 'shared', 'vite.config.ts', 'package.json'] },
  extension: { outDir: 'dist/extension', sources: ['extension', 'shared', 'manifest.config.ts', 'vite.config.ts', 'package.json'] },
} as const;
export type Target = keyof typeof targets;

const STAMP = '.build-stamp';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

export function isStale(target: Target, env: NodeJS.ProcessEnv = process.env): boolean {
  const { outDir, sources } = targets[target];
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp)) return true;
  if (target === 'extension' && readStampOrigins(stamp) !== (env.TWOFOLD_ORIGINS ?? '')) return true;
  return Math.max(...sources.map(newestMtime)) > statSync(stamp).mtimeMs;
}

function readStampOrigins(stamp: string): string {
  try {
    return (JSON.parse(readFileSync(stamp, 'utf8')) as { origins?: string }).origins ?? '';
  } catch {
    return '';
  }
}

export function build(target: Target, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--mode', target, '--logLevel', 'warn'], {
    stdio: 'inherit',
    // Always a production build, even when a test runner set NODE_ENV=test (else Vite embeds source paths).
    env: { ...env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`building ${target} failed (vite exited with ${result.status})`);
  writeFileSync(join(targets[target].outDir, STAMP), JSON.stringify({ builtAt: new Date().toISOString(), origins: env.TWOFOLD_ORIGINS ?? '' }));
}

export function ensureBuilt(options: { force?: boolean } = {}): void {
  for (const target of Object.keys(targets) as Target[]) {
    if (options.force || isStale(target)) {
      console.log(`Building ${target}…`);
      build(target);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureBuilt({ force: process.argv.includes('--force') });
}
