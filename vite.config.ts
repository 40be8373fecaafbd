// One Vite config, two builds: `vite build --mode web` -> dist/web, `vite build --mode extension` -> dist/extension.
import { defineConfig } from 'vite';
import { webConfig } from './web/vite.web.ts';
import { extensionConfig } from './extension/vite.extension.ts';

export default defineConfig(({ mode }) => (mode === 'extension' ? extensionConfig() : webConfig()));
