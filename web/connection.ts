// Whether Twofold answers. A call that gets no answer marks it unreachable and starts probing GET /health with
// backoff (1 s, 2 s, 4 s … every 30 s); the first good answer marks it reachable again and tells the pages, which
// reload what they could not load. Being unreachable is never a sign-out: only a 401 is.
import { useEffect, useRef, useState } from 'preact/hooks';
import { onApiError } from './api-client.ts';
import { API_PREFIX } from '../shared/contract.ts';

export interface ConnectionState {
  reachable: boolean;
  /** When the next probe runs (ms since the epoch), while unreachable. */
  retryAt: number | null;
}

const DELAYS_SECONDS = [1, 2, 4, 8, 16, 30];

let state: ConnectionState = { reachable: true, retryAt: null };
let failures = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
const stateListeners = new Set<(s: ConnectionState) => void>();
const reconnectListeners = new Set<() => void>();

function setState(next: ConnectionState): void {
  state = next;
  for (const l of stateListeners) l(state);
}

export function backoffSeconds(failuresSoFar: number): number {
  return DELAYS_SECONDS[Math.min(failuresSoFar, DELAYS_SECONDS.length - 1)]!;
}

function scheduleProbe(): void {
  if (timer) clearTimeout(timer);
  const delayMs = backoffSeconds(failures) * 1000;
  failures += 1;
  timer = setTimeout(() => void probe(), delayMs);
  setState({ reachable: false, retryAt: Date.now() + delayMs });
}

async function probe(): Promise<void> {
  timer = null;
  let ok = false;
  try {
    ok = (await fetch(`${API_PREFIX}/health`, { headers: { Accept: 'application/json' }, cache: 'no-store' })).ok;
  } catch {
    ok = false;
  }
  if (!ok) {
    scheduleProbe();
    return;
  }
  failures = 0;
  setState({ reachable: true, retryAt: null });
  for (const l of reconnectListeners) l();
}

/** A call got no answer: start (or keep) retrying. */
export function markUnreachable(): void {
  if (!state.reachable) return;
  failures = 0;
  scheduleProbe();
}

/** "Retry now": probe at once instead of waiting for the next backoff step. */
export function retryNow(): void {
  if (state.reachable) return;
  if (timer) clearTimeout(timer);
  void probe();
}

/** Listens for unanswered calls; the app starts this once. Returns the stop function. */
export function watchConnection(): () => void {
  const stop = onApiError((error) => {
    if (error.unreachable) markUnreachable();
  });
  return () => {
    stop();
    if (timer) clearTimeout(timer);
    timer = null;
    failures = 0;
    state = { reachable: true, retryAt: null };
  };
}

export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

export function useConnection(): ConnectionState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    stateListeners.add(setCurrent);
    setCurrent(state);
    return () => {
      stateListeners.delete(setCurrent);
    };
  }, []);
  return current;
}

/** Runs `reload` when Twofold answers again (a page whose data failed to load). */
export function useReconnect(reload: () => void): void {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => onReconnect(() => latest.current()), []);
}
