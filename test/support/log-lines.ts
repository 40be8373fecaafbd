// A stream for a test's logger to write to, and the lines it got: what the tests that read Twofold's log share.
import { Writable } from 'node:stream';

export function lineSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}
