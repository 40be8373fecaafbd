// End-to-end suites in Debian's Chromium (web app and extension); one file at a time, the browser is heavy.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
    globalSetup: ['test/support/e2e-global-setup.ts'],
  },
});
