// One Vite config, three builds: `vite build --mode web` -> dist/web, `--mode extension` -> dist/extension (Chrome),
// `--mode extension-firefox` -> dist/extension-firefox (Firefox MV3).
import { defineConfig } from 'vite';
import { webConfig } from './web/vite.web.ts';
import { extensionConfig } from './extension/vite.extension.ts';

export default defineConfig(({ mode }) => {
  if (mode === 'extension') return extensionConfig('chrome');
  if (mode === 'extension-firefox') return extensionConfig('firefox');
  return webConfig();
});
