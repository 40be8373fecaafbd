// libphonenumber (with its full metadata) is loaded by the first phone number the process reads, not when the API's
// modules load (api/notify/sms.ts): 93 of the modules the server loaded at start, and 3-9 MB of its memory.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { importsOf, ROOT, sourceFiles } from '../support/import-graph.ts';

// Run in a child process, whose module cache holds only what its own imports loaded. The require cache sees the
// require in sms.ts, not an ESM import: the test below catches those.
const script = `
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const loaded = () => Object.keys(cache).some((file) => file.includes('libphonenumber-js'));
await import('./api/app.ts');
const sms = await import('./api/notify/sms.ts');
const atStart = loaded();
const e164 = sms.parseE164('+61412345678');
console.log(JSON.stringify({ atStart, e164, afterFirstNumber: loaded(), masked: sms.maskedPhone(e164), countryCode: sms.phoneCountryCode(e164) }));
`;

describe('the phone number library', () => {
  it('is imported by no module of api/ at run time (sms.ts only for its types)', () => {
    const valueImports = sourceFiles('api')
      .flatMap(importsOf)
      .filter((edge) => edge.pkg === 'libphonenumber-js' && !edge.typeOnly)
      .map((edge) => edge.from);
    expect(valueImports).toEqual([]);
  });

  it('is not loaded with the API, and is by the first number, which it then reads as before', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      atStart: false,
      e164: '+61412345678',
      afterFirstNumber: true,
      masked: '+61•••••5678',
      countryCode: '61',
    });
  });
});
