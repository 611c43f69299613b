import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DroppedRequestsTracker } from '../../../src/model/apf/dropped-requests.js';
import type { Identity } from '../../../src/model/api-types.js';
import {
  every,
  fixedLevel,
  flowSchemaFor,
  harness,
  type Outcome,
  request,
  runUntil,
  submit,
} from './fixtures.js';

describe('Retry-After of 429s (dropped_requests_tracker.go)', () => {
  it('climbs 1 -> 2 -> 4 -> 8 -> 16 -> 32 under sustained drops, at most once per retryAfter seconds', () => {
    const tracker = new DroppedRequestsTracker();
    const firstAt = new Map<number, number>();
    for (let second = 0; second < 40; second++) {
      for (let i = 0; i < 100; i++) {
        const value = tracker.record(second + i / 100, 1);
        if (!firstAt.has(value)) firstAt.set(value, second);
      }
    }
    // Doubling needs >= 3*retryAfter drops in the previous retryAfter seconds and retryAfter seconds
    // since the last increase: bumps at seconds 1, 3, 7, 15, 31.
    assert.deepEqual(
      [...firstAt],
      [
        [1, 0],
        [2, 1],
        [4, 3],
        [8, 7],
        [16, 15],
        [32, 31],
      ],
    );
    assert.equal(tracker.retryAfter, 32);
  });

  it('does not double on a single spike', () => {
    const tracker = new DroppedRequestsTracker();
    for (let i = 0; i < 1000; i++) tracker.record(5.5, 1);
    assert.equal(tracker.record(6.1, 1), 2);
    // [5, 7) holds 1001 drops, but the last increase was 1 s ago (< retryAfter = 2).
    assert.equal(tracker.record(7.1, 1), 2);
    // [6, 8) holds 2 drops: neither >= 3*2 nor < 2.
    assert.equal(tracker.record(8.1, 1), 2);
    // [18, 20) holds none: down by one.
    assert.equal(tracker.record(20.1, 1), 1);
  });

  it('falls back by one per evaluation once drops are sparse, and stays put without drops', () => {
    const tracker = new DroppedRequestsTracker();
    for (let second = 0; second < 40; second++)
      for (let i = 0; i < 100; i++) tracker.record(second + i / 100, 1);
    assert.equal(tracker.retryAfter, 32);
    // No drops for a minute: nothing is re-evaluated.
    assert.equal(tracker.retryAfter, 32);
    const seen: number[] = [];
    for (let second = 100; second < 200; second += 2) seen.push(tracker.record(second, 1));
    assert.equal(seen[0], 31);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! <= seen[i - 1]!, 'never climbs back');
    assert.equal(seen.at(-1), 1);
    assert.ok(seen.indexOf(1) < 40, `reached 1 after ${seen.indexOf(1)} evaluations`);
  });

  it('is answered per priority level by the filter', () => {
    const flood: Identity = { user: 'flood', groups: ['system:authenticated'], clientClass: 'user' };
    const calm: Identity = { user: 'calm', groups: ['system:authenticated'], clientClass: 'user' };
    const h = harness({
      flowSchemas: [flowSchemaFor('flood', 'flood', 100, ['flood'])],
      priorityLevels: [fixedLevel('flood', 1, { queues: 1, handSize: 1, queueLengthLimit: 5 })],
    });
    const outcomes: Outcome[] = [];
    every(h.sim, 0, 40, 0.01, () =>
      outcomes.push(submit(h, request(flood, 'get', 'pods'), { serviceTime: 5 })),
    );
    runUntil(h, 40);
    const retryAfters = outcomes.filter((o) => o.reason !== null).map((o) => o.retryAfter);
    assert.equal(retryAfters[0], 1);
    assert.equal(retryAfters.at(-1), 32);
    const other = submit(h, request(calm, 'get', 'pods', { namespace: 'x', scope: 'resource' }));
    assert.ok(other.dispatched);
    assert.ok(h.events.some((e) => e.kind === 'apf-retry-after-raised' && e.message.includes('32')));
  });
});
