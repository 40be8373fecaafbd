// The extension as the stores get it: one source tree builds the Chrome and the Firefox extension with the same
// settings, Mozilla's linter (web-ext lint) finds no error in the Firefox build and only the warnings explained
// below, the Chrome manifest asks for nothing broad and keeps the default CSP, and `npm run package` is
// reproducible: packaged twice from the same sources, the zips are the same bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionSettings, GECKO_ID, GECKO_MIN_VERSION } from '../../manifest.config.ts';
import { packageExtensions } from '../../extension/release/package.ts';
import pkg from '../../package.json' with { type: 'json' };

const SERVER = 'https://twofold.example.com';
const ENV: NodeJS.ProcessEnv = { ...process.env, PUBLIC_URL: SERVER, TWOFOLD_ORIGINS: '', PORT: '' };

/** Warnings the linter gives that are not problems, each with the reason. Anything else fails the test. */
const EXPLAINED_WARNINGS: Array<{ code: string; file: RegExp; why: string }> = [
  {
    code: 'UNSAFE_VAR_ASSIGNMENT',
    file: /^assets\/pages-[\w-]+\.js$/,
    why: "Preact's renderer assigns innerHTML for dangerouslySetInnerHTML, which no component passes (checked below)",
  },
];

interface Manifest {
  permissions?: string[];
  optional_permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  content_security_policy?: unknown;
  externally_connectable?: unknown;
  web_accessible_resources?: unknown;
  background?: { service_worker?: string; scripts?: string[]; type?: string };
  content_scripts?: Array<{ matches: string[]; js: string[]; world?: string; all_frames?: boolean }>;
  action?: { default_popup?: string };
  options_ui?: { page?: string };
  icons?: Record<string, string>;
  browser_specific_settings?: {
    gecko?: { id?: string; strict_min_version?: string; data_collection_permissions?: { required: string[] } };
  };
  [key: string]: unknown;
}

const dirs: string[] = [];
let first: Record<'chrome' | 'firefox', string>;
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-package-'));
  dirs.push(dir);
  return dir;
};
const manifestOf = (root: string, build: string) => JSON.parse(readFileSync(join(root, build, 'manifest.json'), 'utf8')) as Manifest;
let root: string;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(() => {
  root = temp();
  first = packageExtensions({ buildRoot: root, outDir: root, env: ENV });
}, 180_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('build-time settings', () => {
  it('PUBLIC_URL is the default server and, unless TWOFOLD_ORIGINS says otherwise, the only host', () => {
    expect(extensionSettings({})).toEqual({ server: 'http://localhost:3000', origins: ['http://localhost/*'] });
    expect(extensionSettings({ PORT: '4000' })).toEqual({ server: 'http://localhost:4000', origins: ['http://localhost/*'] });
    expect(extensionSettings({ PUBLIC_URL: SERVER })).toEqual({ server: SERVER, origins: ['https://twofold.example.com/*'] });
    expect(extensionSettings({ PUBLIC_URL: SERVER, TWOFOLD_ORIGINS: 'https://*.example.com/*, http://localhost/*' }).origins).toEqual([
      'https://*.example.com/*',
      'http://localhost/*',
    ]);
  });

  it('a bad value stops the build with a line naming the variable', () => {
    expect(() => extensionSettings({ PUBLIC_URL: 'twofold.example.com' })).toThrow(/^PUBLIC_URL:/);
    expect(() => extensionSettings({ PUBLIC_URL: `${SERVER}/app` })).toThrow(/^PUBLIC_URL:/);
    expect(() => extensionSettings({ TWOFOLD_ORIGINS: '<all_urls>' })).toThrow(/^TWOFOLD_ORIGINS:/);
    expect(() => extensionSettings({ TWOFOLD_ORIGINS: 'https://*/*' })).toThrow(/^TWOFOLD_ORIGINS:/);
    expect(() => extensionSettings({ PUBLIC_URL: SERVER, TWOFOLD_ORIGINS: 'http://localhost/*' })).toThrow(
      /^TWOFOLD_ORIGINS: none of its patterns covers PUBLIC_URL/,
    );
  });
});

describe('the packages', () => {
  it('npm run package is reproducible: packaged twice from the same sources, the same bytes', () => {
    const again = temp();
    const second = packageExtensions({ buildRoot: again, outDir: again, env: ENV });
    for (const browser of ['chrome', 'firefox'] as const) {
      expect(first[browser].endsWith(`twofold-dialer-${browser}-${pkg.version}.zip`)).toBe(true);
      const [one, two] = [readFileSync(first[browser]), readFileSync(second[browser])];
      expect(one.length).toBeGreaterThan(10_000);
      expect(one.equals(two), `${browser} zip differs between two runs`).toBe(true);
    }
    // The zip holds exactly the built files (no build stamp, nothing else), readable by a standard unzip.
    const listing = spawnSync('unzip', ['-Z1', first.firefox], { encoding: 'utf8' });
    if (listing.status === 0) {
      const built = filesUnder(join(root, 'extension-firefox'))
        .map((f) => f.slice(join(root, 'extension-firefox').length + 1))
        .filter((f) => f !== '.build-stamp');
      expect(listing.stdout.trim().split('\n').sort()).toEqual(built.sort());
    }
  }, 180_000);

  it('one source tree, two builds: the same files and host permissions; only the background and gecko differ', () => {
    const chrome = manifestOf(root, 'extension');
    const firefox = manifestOf(root, 'extension-firefox');
    expect(chrome.host_permissions).toEqual(['https://twofold.example.com/*']);
    expect(firefox.host_permissions).toEqual(chrome.host_permissions);
    expect(firefox.content_scripts).toEqual(chrome.content_scripts);
    expect(firefox.permissions).toEqual(chrome.permissions);
    expect(chrome.background).toMatchObject({ type: 'module' });
    expect(chrome.background?.service_worker).toBeTruthy();
    expect(chrome.background?.scripts).toBeUndefined();
    expect(firefox.background?.scripts).toHaveLength(1);
    expect(firefox.background?.service_worker).toBeUndefined();
    expect(firefox.browser_specific_settings?.gecko).toEqual({
      id: GECKO_ID,
      strict_min_version: GECKO_MIN_VERSION,
      data_collection_permissions: { required: ['none'] },
    });
    const background = readFileSync(join(root, 'extension-firefox', firefox.background!.scripts![0]!), 'utf8');
    const script = /['"]\.\/(assets\/[^'"]+)['"]/.exec(background)?.[1];
    const bundle = readFileSync(join(root, 'extension-firefox', script!), 'utf8');
    expect(/defaultServer:[`"']https:\/\/twofold\.example\.com[`"']/.test(bundle), 'the built-for server compiled in').toBe(true);
  });

  it('Chrome manifest: nothing broad, default CSP, nothing exposed to pages or other extensions', () => {
    const manifest = manifestOf(root, 'extension');
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.permissions).toEqual(['alarms', 'cookies', 'storage']);
    for (const key of [
      'optional_permissions',
      'optional_host_permissions',
      'content_security_policy',
      'externally_connectable',
      'web_accessible_resources',
    ]) {
      expect(manifest[key], key).toBeUndefined();
    }
    const patterns = [...manifest.host_permissions!, ...manifest.content_scripts!.flatMap((c) => c.matches)];
    for (const pattern of patterns) expect(pattern).toMatch(/^https?:\/\/(\*\.)?[a-z0-9.-]+[a-z0-9]\/\*$/);
    expect(manifest.content_scripts).toEqual([
      {
        matches: manifest.host_permissions,
        js: ['extension/entries/content.js'],
        run_at: 'document_start',
        all_frames: false,
        world: 'ISOLATED',
      },
    ]);
    // Every file the manifest names is in the build; no page loads a script from elsewhere.
    const named = [
      manifest.background!.service_worker!,
      manifest.action!.default_popup!,
      manifest.options_ui!.page!,
      ...Object.values(manifest.icons!),
      ...manifest.content_scripts!.flatMap((c) => c.js),
    ];
    for (const file of named) expect(existsSync(join(root, 'extension', file)), file).toBe(true);
    for (const html of filesUnder(join(root, 'extension')).filter((f) => f.endsWith('.html'))) {
      expect(readFileSync(html, 'utf8')).not.toMatch(/src="(https?:)?\/\//);
    }
  });

  it('web-ext lint (addons-linter) on the Firefox build: no error, and every warning explained', () => {
    const run = spawnSync(
      process.execPath,
      ['node_modules/web-ext/bin/web-ext.js', 'lint', '--source-dir', join(root, 'extension-firefox'), '--output', 'json', '--no-input'],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
      },
    );
    const report = JSON.parse(run.stdout) as {
      errors: Array<{ code: string; message: string; file?: string }>;
      warnings: Array<{ code: string; message: string; file?: string }>;
      notices: unknown[];
    };
    expect(report.errors.map((e) => `${e.code} ${e.file ?? ''}: ${e.message}`)).toEqual([]);
    const unexplained = report.warnings.filter((w) => !EXPLAINED_WARNINGS.some((x) => x.code === w.code && x.file.test(w.file ?? '')));
    expect(unexplained.map((w) => `${w.code} ${w.file ?? ''}: ${w.message}`)).toEqual([]);
    console.log(
      `[lint] web-ext lint: ${report.errors.length} errors, ${report.warnings.length} warnings (${report.warnings.map((w) => w.code).join(', ') || 'none'}), ${report.notices.length} notices`,
    );
    // The explanation above holds: no component hands Preact raw HTML.
    const sources = filesUnder('extension').filter((f) => /\.tsx?$/.test(f));
    expect(sources.filter((f) => readFileSync(f, 'utf8').includes('dangerouslySetInnerHTML'))).toEqual([]);
  }, 60_000);
});
