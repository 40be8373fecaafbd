// Loaded into a server with `node --import` by `bench/cpu-per-check.ts --alloc`: V8's sampling heap profiler over the
// whole life of the process, counting the objects the garbage collector has freed as well. Without those a profile
// shows what is still alive at the end, not what each request allocates and drops. Written to HEAP_PROFILE at exit;
// read it with `npx tsx bench/allocation-summary.ts <file> <requests>`. Plain JavaScript: the production start runs
// without a TypeScript loader.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.HEAP_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 2048,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // A session on the process's own thread answers synchronously, so this completes inside the exit handler.
  process.on('exit', () =>
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(out, JSON.stringify(result.profile));
    }),
  );
}
