// `npm start`'s server on an empty data/ folder: creates the key and the SQLite database, migrates, serves health.
// A bad setting stops it with one line and no stack trace.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/process.ts';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

function run(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [tsx, join(root, 'api/server.ts'), '--no-build'], {
    cwd,
    env: { PATH: process.env.PATH!, ...env },
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return { child, output: () => out, exited: new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1))) };
}

describe('the server entry point', () => {
  it('starts on an empty data/ folder and answers health', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'twofold-start-'));
    const port = await freePort();
    const server = run({ PORT: String(port), LOG_LEVEL: 'silent' }, cwd);
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /Web app:\s+(\S+)/.exec(server.output())?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      // The address to open is PUBLIC_URL, by default localhost on the listening port.
      expect(url, server.output()).toBe(`http://localhost:${port}/`);
      const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(server.output()).toContain('as an unpacked extension');
      expect(existsSync(join(cwd, 'data/twofold.sqlite'))).toBe(true);
      expect(statSync(join(cwd, 'data/secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /^Twofold cannot start: PORT: /],
    [{ NODE_ENV: 'production' }, /^Twofold cannot start: SECRET_KEY is required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', SECRET_KEY: 'ab'.repeat(32) }, /^Twofold cannot start: PUBLIC_URL is required when NODE_ENV=production/],
  ])('refuses %j with one clear line', async (env, line) => {
    const cwd = mkdtempSync(join(tmpdir(), 'twofold-start-'));
    const server = run(env, cwd);
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toMatch(line);
    expect(server.output().trim().split('\n')).toHaveLength(1);
    rmSync(cwd, { recursive: true, force: true });
  });
});
