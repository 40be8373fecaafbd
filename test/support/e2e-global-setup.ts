// Builds the web app and both extensions once before the browser suites, if their build is stale. The
// extensions are built with the defaults (PUBLIC_URL http://localhost:3000, so host access to localhost only),
// whatever this shell's PUBLIC_URL or TWOFOLD_ORIGINS say: the suites serve Twofold on localhost and use
// 127.0.0.1 as a site that is not Twofold's.
import { ensureBuilt } from '../../api/build.ts';

export const TEST_BUILD_ENV: NodeJS.ProcessEnv = { ...process.env, PUBLIC_URL: '', TWOFOLD_ORIGINS: '', PORT: '' };

export default function setup(): void {
  ensureBuilt({ env: TEST_BUILD_ENV });
}
