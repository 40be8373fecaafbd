// The public code check waits one turn of the event loop before its work (api/http/after-waiting-requests.ts), so
// callbacks already queued for this turn (requests read in the same poll) run first. A microtask would not do that.
import { describe, expect, it } from 'vitest';
import { afterWaitingRequests } from '../../api/http/after-waiting-requests.ts';

describe('afterWaitingRequests', () => {
  it('resolves only after the work already queued for this turn', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('queued before'));
    const waited = afterWaitingRequests().then(() => order.push('the code check'));
    await Promise.resolve();
    order.push('microtasks');
    await waited;
    expect(order).toEqual(['microtasks', 'queued before', 'the code check']);
  });
});
