import type { Clock } from '../../api/deps.ts';

/** A clock the test moves by hand. Starts at the real time so Date headers and TOTP codes look ordinary. */
export class TestClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
