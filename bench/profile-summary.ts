// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, top entries.
// Usage: npx tsx bench/profile-summary.ts bench/profiles/<file>.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
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
show('self time by package / file', pkg);
show('self time by function', fn);
