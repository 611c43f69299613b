import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestConfiguration } from '../../../src/model/apf/index.js';
import { harness, level } from './fixtures.js';

const nominal = (serverCL: number) =>
  Object.fromEntries(digestConfiguration(serverCL, [], []).levels.map((l) => [l.name, l.nominalCL]));

describe('seat split (apf_controller.go finishQueueSetReconfigsLocked)', () => {
  it('splits 600 seats into nominal 74/98/25/98/245/49/13 and 0 for exempt', () => {
    assert.deepEqual(nominal(600), {
      exempt: 0,
      'catch-all': 13,
      system: 74,
      'node-high': 98,
      'leader-election': 25,
      'workload-high': 98,
      'workload-low': 245,
      'global-default': 49,
    });
    assert.equal(digestConfiguration(600, [], []).nominalCLSum, 602);
  });

  it('splits 1000 seats with ceil, so the nominal sum exceeds the server limit', () => {
    const n = nominal(1000);
    assert.deepEqual(
      [
        n.system,
        n['node-high'],
        n['leader-election'],
        n['workload-high'],
        n['workload-low'],
        n['global-default'],
        n['catch-all'],
      ],
      [123, 164, 41, 164, 409, 82, 21],
    );
    assert.equal(digestConfiguration(1000, [], []).nominalCLSum, 1004);
  });

  it('rounds lendable seats half away from zero, as Go math.Round does', () => {
    const levels = Object.fromEntries(digestConfiguration(600, [], []).levels.map((l) => [l.name, l]));
    // 98 * 25% = 24.5 -> 25; 245 * 90% = 220.5 -> 221; 49 * 50% = 24.5 -> 25; 74 * 33% = 24.42 -> 24.
    assert.deepEqual(
      [
        'system',
        'node-high',
        'leader-election',
        'workload-high',
        'workload-low',
        'global-default',
        'catch-all',
      ].map((name) => [levels[name]!.lendableCL, levels[name]!.minCL, levels[name]!.maxCL]),
      [
        [24, 50, 674],
        [25, 73, 698],
        [0, 25, 625],
        [49, 49, 698],
        [221, 24, 845],
        [25, 24, 649],
        [0, 13, 613],
      ],
    );
  });

  it('gives the work estimator max(1, min(ceil(15% NominalCL), NominalCL/handSize)) seats per level', () => {
    const levels = Object.fromEntries(
      digestConfiguration(600, [], []).levels.map((l) => [l.name, l.maxSeats]),
    );
    assert.deepEqual(levels, {
      exempt: 0,
      'catch-all': 0,
      system: 12,
      'node-high': 15,
      'leader-election': 4,
      'workload-high': 15,
      'workload-low': 37,
      'global-default': 8,
    });
    const small = Object.fromEntries(digestConfiguration(50, [], []).levels.map((l) => [l.name, l.maxSeats]));
    assert.equal(small.system, 1); // nominal 7, 7/6 = 1
  });

  it('starts each level from the allocation of an idle server: workload-low at 23% of its nominal seats', () => {
    // k/k apf test "for the first 10s (borrowingAdjustmentPeriod), workload-low gets only 23% of its own
    // nominal seats": with no demand every level's target is its minCL, scaled up to the 602-seat sum.
    const h = harness();
    const wl = level(h, 'workload-low');
    assert.equal(wl.currentCL, 56);
    assert.equal(Math.round((100 * wl.currentCL) / wl.nominalCL), 23);
    const sum = h.filter.levels().reduce((s, l) => s + l.currentCL, 0);
    assert.ok(Math.abs(sum - 602) <= 2, `limits sum to ${sum}`);
  });
});
