// The extension's build: MV3 via @crxjs/vite-plugin from manifest.config.ts. The content script is one
// self-contained file (no loader, no web-accessible resources); the popup stays small (no zod, no otpauth).
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { crx } from '@crxjs/vite-plugin';
import type { UserConfig } from 'vite';
import manifest, { contentScript } from '../manifest.config.ts';

export function extensionConfig(): UserConfig {
  // Always a production build: under the test runner (NODE_ENV=test) Vite would pick the JSX development
  // transform, which embeds source file paths and debug names in the bundle.
  process.env.NODE_ENV = 'production';
  return {
    plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false }), crx({ manifest, contentScripts: { standaloneFiles: [contentScript] } })],
    build: { outDir: resolve('dist/extension'), emptyOutDir: true, target: 'chrome116', modulePreload: false },
  };
}
