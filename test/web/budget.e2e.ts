// The web app's size budget (bench/README.md): the JS the sign-in page loads stays under 60 KB gzipped, and the
// built page keeps the strict CSP's promise (no inline script or style). Runs after the e2e build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const root = 'dist/web';
const KB = 1024;

describe('web app budget', () => {
  it('the JS the sign-in page loads is under 60 KB gzipped; the admin pages stay a separate chunk', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const entry = readFileSync(join(root, scripts[0]!));
    const gzipped = gzipSync(entry, { level: 9 }).length;
    console.log(`[measure] sign-in page JS: ${(entry.length / KB).toFixed(1)} KB raw, ${(gzipped / KB).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThan(60 * KB);
    expect(entry.toString('utf8')).toContain('admin-page-');
    expect(entry.toString('utf8')).not.toContain('Download CSV');
    // The web app takes only types from shared/schemas.ts: a value import would bring zod along (about 30 KB).
    expect(entry.toString('utf8')).not.toContain('ZodError');
  });

  it('has no inline script or style for the CSP to refuse', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });
});
