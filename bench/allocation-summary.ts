// Summarises a V8 sampling heap profile (bench/servers/heap-sampler.mjs, written by `bench/cpu-per-check.ts --alloc`):
// bytes allocated per request, in all and by the function that allocated them. Functions V8 inlined count under the
// function they were inlined into (the profiler sees frames, not inlined calls), so a library's small helpers show
// up under their caller. The process's start-up is in the totals too (a few MB, against GBs over a run).
// Usage: npx tsx bench/allocation-summary.ts <file.heapprofile> <requests served> [top]
import { readFileSync } from 'node:fs';

interface SampledNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampledNode[];
}

export function summariseAllocations(file: string, requests: number, top = 15): string[] {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: SampledNode };
  const byFunction = new Map<string, number>();
  let total = 0;
  const visit = (node: SampledNode) => {
    total += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '');
    const name = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child);
  };
  visit(head);
  const perRequest = (bytes: number) => `${Math.round(bytes / requests)} B`.padStart(9);
  return [
    `${perRequest(total)} per request in all (${(total / 1e6).toFixed(0)} MB over ${requests} requests)`,
    ...[...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => `${perRequest(bytes)}  ${name}`),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, requests, top] = process.argv.slice(2);
  if (!file || !requests) throw new Error('usage: allocation-summary.ts <file.heapprofile> <requests served> [top]');
  console.log(summariseAllocations(file, Number(requests), top ? Number(top) : undefined).join('\n'));
}
