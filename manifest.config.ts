// The MV3 manifest, built by @crxjs/vite-plugin. Origins come from TWOFOLD_ORIGINS at build time: they are the
// only hosts the extension may touch (cookies, API calls) and the only pages its content script runs on.
// No <all_urls>, no `tabs`, no externally_connectable, the default MV3 content security policy.
import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };

export const twofoldOrigins = (process.env.TWOFOLD_ORIGINS ?? 'http://127.0.0.1/*,http://localhost/*')
  .split(',').map((s) => s.trim()).filter(Boolean);

for (const pattern of twofoldOrigins) {
  if (!/^https?:\/\/(\*\.)?[^/*]+\/\*$/.test(pattern)) {
    throw new Error(`TWOFOLD_ORIGINS: "${pattern}" is not a match pattern like https://twofold.example.com/*`);
  }
}

export const contentScript = 'extension/content/main.ts';

export default defineManifest({
  manifest_version: 3,
  name: 'Twofold Dialer',
  description: 'Place calls with Twofold, and fill your Twofold sign-in codes.',
  version: pkg.version,
  minimum_chrome_version: '116',
  action: { default_popup: 'extension/popup/index.html', default_title: 'Twofold Dialer' },
  options_ui: { page: 'extension/options/index.html', open_in_tab: true },
  background: { service_worker: 'extension/background.ts', type: 'module' },
  permissions: ['cookies', 'storage'],
  host_permissions: twofoldOrigins,
  content_scripts: [{ matches: twofoldOrigins, js: [contentScript], run_at: 'document_start', all_frames: false, world: 'ISOLATED' }],
});
