// ApiError: a 4xx is the client's answer and is made without a stack (a flood of refused codes throws thousands a
// second); a 5xx keeps its stack, which render-errors.ts writes to the log. Neither changes the stack of other errors.
import { describe, expect, it } from 'vitest';
import { ApiError, tooManyAttempts } from '../../api/errors.ts';

const frames = (err: Error) => (err.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;

describe('ApiError', () => {
  it('carries the catalogue status and no stack frames for a 4xx', () => {
    for (const err of [new ApiError('invalid_code'), tooManyAttempts(30), new ApiError('not_found')]) {
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(err.status).toBeLessThan(500);
      expect(err.stack).toMatch(/^ApiError|^Error/);
      expect(frames(err)).toBe(0);
    }
  });

  it('keeps the stack of a 5xx for the log', () => {
    const err = new ApiError('internal_error');
    expect(err.status).toBe(500);
    expect(frames(err)).toBeGreaterThan(0);
  });

  it('leaves the stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    new ApiError('invalid_code');
    expect(Error.stackTraceLimit).toBe(before);
    expect(frames(new Error('other'))).toBeGreaterThan(0);
  });
});
