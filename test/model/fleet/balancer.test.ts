import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createTrafficBalancer } from '../../../src/model/fleet/balancer.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('shares follow the weights while nothing is moved', () => {
  const b = createTrafficBalancer([3, 1], 1.5);
  assert.equal(b.share(0), 0.75);
  assert.equal(b.share(1), 0.25);
  assert.equal(b.loadFactor(0), 1);
});

test('moving a cluster away fills the others up to their capacity, and what finds no room stays', () => {
  const b = createTrafficBalancer([2, 1, 1], 1.5);
  b.setAway(0, true);
  // 50% of the traffic must move; the two others can each take +50% of 25%: 12.5% each.
  assert.ok(Math.abs(b.share(1) - 0.375) < 1e-12);
  assert.ok(Math.abs(b.share(2) - 0.375) < 1e-12);
  assert.ok(Math.abs(b.share(0) - 0.25) < 1e-12, 'the half that found no room stays');
  b.setAway(0, false);
  assert.equal(b.share(0), 0.5);
});

test('shares always sum to 1 and never exceed a receiving cluster headroom, whatever is moved', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      fc.double({ min: 0, max: 2, noNaN: true }),
      (weights, away, headroom) => {
        const b = createTrafficBalancer(weights, 1 + headroom);
        for (let i = 0; i < weights.length; i++) b.setAway(i, away[i]!);
        const shares = weights.map((_, i) => b.share(i));
        assert.ok(Math.abs(sum(shares) - 1) < 1e-9, `sum ${sum(shares)}`);
        weights.forEach((_, i) => {
          if (!away[i]) assert.ok(b.loadFactor(i) <= 1 + headroom + 1e-9);
          else assert.ok(b.loadFactor(i) <= 1 + 1e-9);
        });
      },
    ),
  );
});

test('a receiver that lost capacity takes less of the moved traffic once the balancer refreshes', () => {
  const capacity = [1.5, 1.5, 1.5];
  const b = createTrafficBalancer([2, 1, 1], (i) => capacity[i]!);
  b.setAway(0, true);
  assert.ok(Math.abs(b.share(1) - 0.375) < 1e-12);
  // Cluster 1's nodes are scaled down: it can serve its own share only.
  capacity[1] = 0.4;
  assert.ok(Math.abs(b.share(1) - 0.375) < 1e-12, 'nothing moves between health checks');
  b.refresh();
  assert.ok(Math.abs(b.share(1) - 0.25) < 1e-12, 'it keeps its own share, nothing more');
  assert.ok(Math.abs(b.share(2) - 0.375) < 1e-12);
  assert.ok(Math.abs(b.share(0) - 0.375) < 1e-12, 'what found no room stays on the cluster moved away');
});

test('refreshing with nothing moved keeps the normal shares', () => {
  const b = createTrafficBalancer([3, 1], () => 0.2);
  b.refresh();
  assert.equal(b.share(0), 0.75);
  assert.equal(b.share(1), 0.25);
});
