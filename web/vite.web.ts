// The web app's build: Preact, served by the API at `/`.
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import type { UserConfig } from 'vite';

export function webConfig(): UserConfig {
  return {
    root: resolve('web'),
    plugins: [preact()],
    build: { outDir: resolve('dist/web'), emptyOutDir: true },
    server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  };
}
