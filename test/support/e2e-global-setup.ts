// Builds the web app and the extension once before the browser suites, if their build is stale.
import { ensureBuilt } from '../../api/build.ts';

export default function setup(): void {
  ensureBuilt();
}
