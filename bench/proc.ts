// What the bench reads of a server process from /proc, and the percentile its p99s use: one copy for run.ts,
// cpu-per-check.ts and login-flood.ts.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** utime+stime of a process (all its threads), or with `thread`, of that one thread (the pid is the main thread's). */
export function cpuSeconds(pid: number, thread?: number): number {
  const { user, kernel } = cpuSplit(pid, thread);
  return user + kernel;
}

/** The same, apart: time in the process's own code (utime) and in the kernel on its behalf (stime: its system calls,
 * and on loopback the delivery of what it writes to the reader's socket). */
export function cpuSplit(pid: number, thread?: number): { user: number; kernel: number } {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, kernel: Number(fields[12]) / CLK_TCK };
}

export const rssMb = (pid: number): number => memoryMb(pid).rss;

/** A process's resident memory, MB: all of it (RSS), and the part no other process can share (anonymous: V8's heap,
 * malloc's arenas, stacks). The rest is pages of files (node's binary, the native addons, libc), which every node
 * process on the machine shares. */
export function memoryMb(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

/** Nearest rank. */
export const percentile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil(q * s.length) - 1)]! : NaN;
};
