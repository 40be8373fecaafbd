// The MV3 manifest for both browsers, built by @crxjs/vite-plugin from one description. What differs:
// Chrome runs the background as a service worker; Firefox as background scripts (an event page) and needs
// browser_specific_settings.gecko (an id, the oldest version it runs on, the data it collects: none).
//
// Build-time settings (extensionSettings()): PUBLIC_URL is the Twofold server the extension was built for (the
// dialer's default server, `http://localhost:PORT` when unset, as for the API); TWOFOLD_ORIGINS (match patterns,
// comma-separated) are the only hosts the extension may touch (cookies, API calls) and the only pages its content
// script runs on, by default PUBLIC_URL's host. No <all_urls>, no `tabs`, no externally_connectable, no web-accessible
// resources, the default MV3 content security policy.
// Types only: the API's start-up reads extensionSettings() to know when to rebuild, without loading the plugin.
import type { ManifestV3Export } from '@crxjs/vite-plugin';

type ManifestV3 = Extract<ManifestV3Export, { manifest_version: number }>;
import pkg from './package.json' with { type: 'json' };

export type TargetBrowser = 'chrome' | 'firefox';

/** Where each build goes; the Firefox build is also what `web-ext lint` checks. */
export const outDirs: Record<TargetBrowser, string> = { chrome: 'dist/extension', firefox: 'dist/extension-firefox' };

export const contentScript = 'extension/entries/content.ts';

/** Firefox: the add-on's id (keeps its storage across updates; change it for your own AMO listing) and the oldest
 * release it runs on: 140 (the ESR before 153) grants MV3 host permissions at install, has storage.session, the
 * content scripts' `world` key and the built-in data-collection consent. */
export const GECKO_ID = 'dialer@twofold.example';
export const GECKO_MIN_VERSION = '140.0';
export const GECKO_ANDROID_MIN_VERSION = '142.0';

export interface ExtensionSettings {
  /** The dialer's default server: PUBLIC_URL's origin. */
  server: string;
  /** Host permissions and content-script matches. */
  origins: string[];
}

const MATCH_PATTERN = /^https?:\/\/(\*\.)?[^/*]+\/\*$/;

/** Reads PUBLIC_URL, PORT and TWOFOLD_ORIGINS; throws one line naming the variable when a value is wrong. */
export function extensionSettings(env: NodeJS.ProcessEnv = process.env): ExtensionSettings {
  const raw = env.PUBLIC_URL || `http://localhost:${env.PORT || '3000'}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL: not a URL (got ${JSON.stringify(raw)})`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username
  ) {
    throw new Error('PUBLIC_URL: must be an http(s) origin only, like https://twofold.example.com');
  }
  const origins = (env.TWOFOLD_ORIGINS || `${url.protocol}//${url.hostname}/*`)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const pattern of origins) {
    if (!MATCH_PATTERN.test(pattern))
      throw new Error(`TWOFOLD_ORIGINS: "${pattern}" is not a match pattern like https://twofold.example.com/*`);
  }
  if (!origins.some((pattern) => coversHost(pattern, url))) {
    throw new Error(`TWOFOLD_ORIGINS: none of its patterns covers PUBLIC_URL (${url.origin}), the dialer's default server`);
  }
  return { server: url.origin, origins };
}

function coversHost(pattern: string, url: URL): boolean {
  const [, scheme, host] = /^(https?):\/\/([^/]+)\//.exec(pattern) ?? [];
  if (`${scheme}:` !== url.protocol || !host) return false;
  return host.startsWith('*.') ? url.hostname === host.slice(2) || url.hostname.endsWith(host.slice(1)) : url.hostname === host;
}

export function manifestFor(browser: TargetBrowser, settings: ExtensionSettings = extensionSettings()): ManifestV3Export {
  const { origins } = settings;
  const common = {
    manifest_version: 3,
    name: 'Twofold Dialer',
    description: 'Place calls with Twofold, and fill your Twofold sign-in codes.',
    version: pkg.version,
    icons: {
      16: 'extension/icons/icon-16.png',
      32: 'extension/icons/icon-32.png',
      48: 'extension/icons/icon-48.png',
      128: 'extension/icons/icon-128.png',
    },
    action: {
      default_popup: 'extension/entries/popup/index.html',
      default_title: 'Twofold Dialer',
      default_icon: { 16: 'extension/icons/icon-16.png', 32: 'extension/icons/icon-32.png' },
    },
    options_ui: { page: 'extension/entries/options/index.html', open_in_tab: true },
    // alarms: the vault locks itself after the idle time even while nothing wakes the worker.
    permissions: ['alarms', 'cookies', 'storage'],
    host_permissions: origins,
    content_scripts: [{ matches: origins, js: [contentScript], run_at: 'document_start', all_frames: false, world: 'ISOLATED' as const }],
  };
  if (browser === 'chrome') {
    return {
      ...common,
      minimum_chrome_version: '116',
      background: { service_worker: 'extension/entries/background.ts', type: 'module' },
    };
  }
  return {
    ...common,
    background: { scripts: ['extension/entries/background.ts'] },
    browser_specific_settings: {
      gecko: { id: GECKO_ID, strict_min_version: GECKO_MIN_VERSION, data_collection_permissions: { required: ['none'] } },
      // Firefox for Android reads the data-collection consent from 142.
      gecko_android: { strict_min_version: GECKO_ANDROID_MIN_VERSION },
    } as ManifestV3['browser_specific_settings'],
  };
}
