// The extension's builds, Chrome and Firefox, from one manifest (manifest.config.ts) by @crxjs/vite-plugin.
// The content script is one self-contained file (no loader, no web-accessible resources); the popup stays small
// (no zod, no otpauth). The dialer's default server (PUBLIC_URL at build time) is compiled in as
// __TWOFOLD_SERVER__. TWOFOLD_OUT_DIR builds elsewhere (the packaging test builds into a temporary folder).
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { crx } from '@crxjs/vite-plugin';
import type { UserConfig } from 'vite';
import { contentScript, extensionSettings, manifestFor, outDirs, type TargetBrowser } from '../manifest.config.ts';

export function extensionConfig(browser: TargetBrowser): UserConfig {
  // Always a production build: under the test runner (NODE_ENV=test) Vite would pick the JSX development
  // transform, which embeds source file paths and debug names in the bundle.
  process.env.NODE_ENV = 'production';
  const settings = extensionSettings();
  return {
    plugins: [
      preact({ devToolsEnabled: false, prefreshEnabled: false }),
      crx({ manifest: manifestFor(browser, settings), browser, contentScripts: { standaloneFiles: [contentScript] } }),
    ],
    define: { __TWOFOLD_SERVER__: JSON.stringify(settings.server) },
    build: {
      outDir: resolve(process.env.TWOFOLD_OUT_DIR || outDirs[browser]),
      emptyOutDir: true,
      target: browser === 'chrome' ? 'chrome116' : 'firefox140',
      modulePreload: false,
    },
  };
}
