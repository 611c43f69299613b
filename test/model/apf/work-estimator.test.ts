import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateWork } from '../../../src/model/apf/work-estimator.js';
import { kubelet, request, serviceAccount } from './fixtures.js';

const sa = serviceAccount('telemetry', 'collector');
const input = (numStored: number, servedFromCache: boolean, watchers = 0) => ({
  numStored,
  servedFromCache,
  watchers,
});

describe('work estimator (request/list_work_estimator.go, mutating_work_estimator.go)', () => {
  it('charges a LIST one seat per 100 objects processed, capped at 10', () => {
    assert.equal(estimateWork(request(sa, 'list', 'pods'), input(150_000, true), 37).initialSeats, 10);
    assert.equal(estimateWork(request(sa, 'list', 'pods'), input(250, true), 37).initialSeats, 3);
    assert.equal(estimateWork(request(sa, 'list', 'pods'), input(0, true), 37).initialSeats, 1);
    // The level's own cap applies below 10 (leader-election: 4).
    assert.equal(estimateWork(request(sa, 'list', 'leases'), input(5000, true), 4).initialSeats, 4);
    // Levels without queues have no tracked cap: 10.
    assert.equal(estimateWork(request(sa, 'list', 'pods'), input(5000, true), 0).initialSeats, 10);
  });

  it('counts objects by where the LIST is served from', () => {
    // From cache: numStored whatever the limit or selector.
    assert.equal(
      estimateWork(request(sa, 'list', 'pods', { limit: 50, hasLabelSelector: true }), input(400, true), 37)
        .initialSeats,
      4,
    );
    // From etcd with a selector: numStored + limit.
    assert.equal(
      estimateWork(request(sa, 'list', 'pods', { limit: 100, hasFieldSelector: true }), input(400, false), 37)
        .initialSeats,
      5,
    );
    // From etcd without a selector: 2 x limit.
    assert.equal(
      estimateWork(request(sa, 'list', 'pods', { limit: 100 }), input(400, false), 37).initialSeats,
      2,
    );
    assert.equal(estimateWork(request(sa, 'list', 'pods'), input(400, false), 37).initialSeats, 8);
  });

  it('charges one seat for a named LIST, an unknown resource, a GET and a WATCH', () => {
    assert.equal(
      estimateWork(request(kubelet(1), 'list', 'nodes', { scope: 'resource' }), input(5000, true), 15)
        .initialSeats,
      1,
    );
    assert.equal(estimateWork(request(sa, 'list', 'widgets'), input(-1, true), 37).initialSeats, 1);
    assert.deepEqual(estimateWork(request(sa, 'get', 'pods'), input(5000, true), 37), {
      initialSeats: 1,
      finalSeats: 0,
      additionalLatency: 0,
    });
    assert.equal(estimateWork(request(sa, 'watch', 'pods'), input(150_000, true), 37).initialSeats, 1);
  });

  it('adds watch fan-out seats to a mutating request once 10 or more watchers are interested', () => {
    const update = request(kubelet(1), 'update', 'pods', { namespace: 'a', scope: 'resource' });
    assert.deepEqual(estimateWork(update, input(0, true, 9), 12), {
      initialSeats: 1,
      finalSeats: 0,
      additionalLatency: 0,
    });
    const w35 = estimateWork(update, input(0, true, 35), 12);
    assert.equal(w35.finalSeats, 4);
    assert.ok(Math.abs(w35.additionalLatency - 0.005) < 1e-12);
    // 500 watchers: 50 fan-out seats reshaped into 10 (the global cap), each held 5 ms * 50 / 10.
    const w500 = estimateWork(update, input(0, true, 500), 12);
    assert.equal(w500.finalSeats, 10);
    assert.ok(Math.abs(w500.additionalLatency - (0.005 * 50) / 10) < 1e-12);
  });
});
