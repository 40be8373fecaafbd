// Passwords: argon2id (m=19456 KiB, t=2, p=1), a strength check against common and guessable passwords,
// and a bounded number of hashes at once so a login flood cannot starve every other request.
// The strength check's dictionaries (about 30 MB of memory and a good part of the start-up time) are loaded on the
// first password that is set, never by a process that only signs people in.
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ApiError } from '../errors.ts';

const ARGON2ID = 2; // Algorithm.Argon2id; the package exports it as a const enum, which isolated modules cannot read.
/** Also what the bench holds a sign-in's CPU to (bench/run.ts), so the reference is always the hash Twofold runs. */
export const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** zxcvbn score 3: "safely unguessable", ~10^10 guesses; below that an offline attack on a leaked hash is practical. */
const MIN_SCORE = 3;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `stored`, or against a dummy hash when there is no user, so both take the same time. */
  verify(stored: string | null, password: string): Promise<boolean>;
}

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const limit = semaphore(concurrency);
  let dummy: Promise<string> | null = null;
  return {
    hash: (password) => limit(() => hash(password, HASH_OPTIONS)),
    async verify(stored, password) {
      dummy ??= hash('not a real password, only for timing', HASH_OPTIONS);
      const target = stored ?? (await dummy);
      const ok = await limit(() => verify(target, password).catch(() => false));
      return stored !== null && ok;
    },
  };
}

let zxcvbn: Promise<ZxcvbnFactory> | null = null;

async function loadZxcvbn(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common, english] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
}

/** Refuses common and guessable passwords, counting the user's own email and name as guessable. */
export async function assertStrongPassword(password: string, userInputs: string[]): Promise<void> {
  zxcvbn ??= loadZxcvbn().catch((err: unknown) => {
    zxcvbn = null;
    throw err;
  });
  const result = (await zxcvbn).check(password, userInputs.flatMap((v) => [v, ...v.split(/[@.\s]+/)]).filter(Boolean));
  if (result.score < MIN_SCORE) {
    const hint = result.feedback.warning || result.feedback.suggestions[0] || 'Use a longer password with unrelated words.';
    throw new ApiError('invalid_request', `This password is too easy to guess. ${hint}`, { field: 'password' });
  }
}

function semaphore(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
