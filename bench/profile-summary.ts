// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, top entries, and by
// owner: Twofold's own modules, the SQL statement (better-sqlite3's call runs inside hot.js's function, so its time
// is that function's), Koa, the router, the metrics, the log, node's core, the socket write, the garbage collector.
// With --requests=N (how many requests the profiled process answered) each owner's time is also given per request.
// Usage: npx tsx bench/profile-summary.ts bench/profiles/<file>.cpuprofile [top] [--requests=N]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice('--requests='.length) ?? 0);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
// Percentages are of busy time: idle samples (waiting for I/O) are left out.
for (const [id, us] of self)
  if (byId.get(id)?.callFrame.functionName === '(idle)') {
    self.delete(id);
    void us;
  }
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/work/') || url.includes('file://')) return url.replace(/^.*\/main\//, '');
  return url ? `node:${url.replace(/^node:/, '')}` : '(native/V8)';
};
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const p = n.callFrame.url ? where(n.callFrame.url).split(':')[0]! : n.callFrame.functionName;
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
/** Who a package or file belongs to (the keys of `pkg`). */
const KOA =
  /^(koa|koa-compose|delegates|on-finished|ee-first|mime-types|mime-db|type-is|media-typer|cookies|keygrip|content-type|content-disposition|http-assert|http-errors|statuses|vary|encodeurl|escape-html|fresh|accepts|negotiator|parseurl|only|destroy)$/;
const ownerOf = (key: string): string => {
  if (key.endsWith('api/db/hot.js') || key.endsWith('api/db/hot.ts')) return 'the SQL statement (inside hot.js)';
  if (/(^|\/)(dist\/)?(api|shared)\//.test(key)) return "Twofold's own modules";
  if (/^bench\/servers\//.test(key)) return 'the bench server (its statement and answer)';
  if (KOA.test(key)) return 'Koa and its helpers';
  if (key === '@koa/router') return '@koa/router';
  if (key === 'prom-client' || key === 'tdigest' || key === 'bintrees') return 'prom-client (metrics)';
  if (key === 'pino' || key === 'sonic-boom' || key === 'fast-redact' || key === 'quick-format-unescaped' || key === 'atomic-sleep')
    return 'pino (log)';
  if (key === 'writev' || key === 'writeString' || key === 'writeBuffer')
    return 'the socket write (a syscall; the profiler counts its wall time)';
  if (key === '(garbage collector)') return 'garbage collector';
  if (key === 'node') return "node's core (http, streams, timers, crypto)";
  if (!key || key.startsWith('(') || key.startsWith('RegExp:') || key === 'runMicrotasks')
    return 'V8 (microtasks, regular expressions, its own work)';
  return 'other libraries and native calls';
};
const owner = new Map<string, number>();
for (const [key, us] of pkg) owner.set(ownerOf(key), (owner.get(ownerOf(key)) ?? 0) + us);
console.log(`\nself time by owner (total ${(total / 1000).toFixed(0)} ms sampled${requests ? `, ${requests} requests` : ''})`);
for (const [k, v] of [...owner].sort((a, b) => b[1] - a[1]))
  console.log(
    `${((100 * v) / total).toFixed(1).padStart(5)}%${requests ? `  ${(v / requests).toFixed(1).padStart(6)} µs/request` : ''}  ${k}`,
  );
show('self time by package / file', pkg);
show('self time by function', fn);
