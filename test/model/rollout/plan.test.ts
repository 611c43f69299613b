import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRandomStream } from '../../../src/engine/index.js';
import { type PlanTarget, planRollout } from '../../../src/model/rollout/index.js';

const fleet = (sizes: readonly number[], labels?: (i: number) => Record<string, string>): PlanTarget[] =>
  sizes.map((nodes, i) => ({ name: `c${i}`, nodes, labels: labels?.(i) ?? {} }));

const stream = (seed = 1) => createRandomStream(seed, 'rollout:test:plan');

describe('rollout plan', () => {
  it('all-at-once spreads deploys evenly over the window, first at the start and last at the end', () => {
    const plan = planRollout(
      fleet([10, 20, 30, 40]),
      { kind: 'all-at-once', window: 1800, order: 'listed', spacing: 'even' },
      0,
      stream(),
    );
    assert.equal(plan.length, 1);
    assert.deepEqual(plan[0]!.clusters, ['c0', 'c1', 'c2', 'c3']);
    assert.deepEqual(plan[0]!.offsets, [0, 600, 1200, 1800]);
  });

  it('all-at-once with a seeded order and random times is the same for a seed and differs across seeds', () => {
    const targets = fleet(Array.from({ length: 50 }, (_, i) => 100 + i));
    const strategy = { kind: 'all-at-once', window: 1800, order: 'shuffled', spacing: 'random' } as const;
    const a = planRollout(targets, strategy, 0, stream(7));
    const b = planRollout(targets, strategy, 0, stream(7));
    const c = planRollout(targets, strategy, 0, stream(8));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0]!.clusters, c[0]!.clusters);
    const offsets = a[0]!.offsets;
    assert.ok(offsets.every((o, i) => o >= 0 && o <= 1800 && (i === 0 || o >= offsets[i - 1]!)));
    assert.deepEqual([...a[0]!.clusters].sort(), targets.map((t) => t.name).sort());
  });

  it('waves by percentage take ceil(p% of the fleet) in strategy order, and the rest', () => {
    const targets = fleet([5, 50, 10, 40, 20, 30, 60, 70, 80, 90]);
    const plan = planRollout(
      targets,
      {
        kind: 'waves',
        order: 'largest-first',
        waves: [
          { select: { kind: 'percent', percent: 10 } },
          { select: { kind: 'percent', percent: 25 } },
          { select: { kind: 'rest' } },
        ],
      },
      600,
      stream(),
    );
    assert.deepEqual(
      plan.map((w) => w.clusters),
      [['c9'], ['c8', 'c7', 'c6'], ['c1', 'c3', 'c5', 'c4', 'c2', 'c0']],
    );
    assert.deepEqual(
      plan.map((w) => w.name),
      ['wave-1', 'wave-2', 'wave-3'],
    );
    assert.ok(plan.every((w) => w.bakeSeconds === 600));
  });

  it('waves by label follow the rings, and unselected clusters form a remainder wave unless skipped', () => {
    const ring = (i: number) => (i < 2 ? { ring: '0' } : i < 5 ? { ring: '1' } : {});
    const targets = fleet([1, 2, 3, 4, 5, 6, 7], ring);
    const waves = [
      {
        name: 'ring-0',
        select: { kind: 'labels', labels: { ring: '0' } },
        bakeSeconds: 900,
        spreadSeconds: 60,
      },
      { name: 'ring-1', select: { kind: 'labels', labels: { ring: '1' } } },
    ] as const;
    const plan = planRollout(targets, { kind: 'waves', order: 'listed', waves }, 300, stream());
    assert.deepEqual(
      plan.map((w) => [w.name, w.clusters, w.offsets, w.bakeSeconds]),
      [
        ['ring-0', ['c0', 'c1'], [0, 60], 900],
        ['ring-1', ['c2', 'c3', 'c4'], [0, 0, 0], 300],
        ['remainder', ['c5', 'c6'], [0, 0], 300],
      ],
    );
    const skipped = planRollout(
      targets,
      { kind: 'waves', order: 'listed', waves, remainder: 'skip' },
      300,
      stream(),
    );
    assert.deepEqual(
      skipped.map((w) => w.name),
      ['ring-0', 'ring-1'],
    );
  });

  it('drops waves that select nothing and renumbers the rest', () => {
    const plan = planRollout(
      fleet([1, 2]),
      {
        kind: 'waves',
        order: 'listed',
        waves: [
          { select: { kind: 'labels', labels: { ring: 'none' } } },
          { select: { kind: 'names', names: ['c1'] } },
        ],
      },
      0,
      stream(),
    );
    assert.deepEqual(
      plan.map((w) => [w.index, w.name, w.clusters]),
      [
        [0, 'wave-2', ['c1']],
        [1, 'remainder', ['c0']],
      ],
    );
  });

  it('a canary on the largest cluster goes first (ties: first listed), then the rest by the follow-up strategy', () => {
    const plan = planRollout(
      fleet([300, 7500, 40, 7500]),
      {
        kind: 'canary',
        canary: { kind: 'largest' },
        bakeSeconds: 1800,
        afterCanary: { kind: 'all-at-once', window: 600, order: 'listed', spacing: 'even' },
      },
      120,
      stream(),
    );
    assert.deepEqual(
      plan.map((w) => [w.name, w.clusters, w.bakeSeconds]),
      [
        ['canary', ['c1'], 1800],
        ['all', ['c0', 'c2', 'c3'], 120],
      ],
    );
  });

  it('rejects names that are not in the fleet, with the fix', () => {
    assert.throws(
      () =>
        planRollout(
          fleet([1, 2]),
          {
            kind: 'canary',
            canary: { kind: 'named', cluster: 'prod-9' },
            afterCanary: { kind: 'waves', order: 'listed', waves: [] },
          },
          0,
          stream(),
        ),
      /"prod-9" is not in the fleet; use one of: c0, c1/,
    );
    assert.throws(
      () =>
        planRollout(
          fleet([1]),
          { kind: 'waves', order: 'listed', waves: [{ select: { kind: 'names', names: ['x'] } }] },
          0,
          stream(),
        ),
      /names cluster "x"/,
    );
    assert.throws(
      () =>
        planRollout(
          [...fleet([1]), ...fleet([2])],
          { kind: 'all-at-once', window: 0, order: 'listed', spacing: 'even' },
          0,
          stream(),
        ),
      /twice/,
    );
  });

  it('every cluster is planned at most once, in any strategy', () => {
    const selector = fc.oneof(
      fc.record({ kind: fc.constant('percent' as const), percent: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('count' as const), count: fc.integer({ min: 1, max: 5 }) }),
      fc.record({
        kind: fc.constant('labels' as const),
        labels: fc.record({ ring: fc.constantFrom('0', '1', '2') }),
      }),
      fc.constant({ kind: 'rest' as const }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 8000 }), { minLength: 1, maxLength: 30 }),
        fc.array(selector, { maxLength: 5 }),
        fc.constantFrom('listed', 'largest-first', 'smallest-first', 'shuffled'),
        fc.constantFrom('final-wave', 'skip'),
        fc.integer(),
        (sizes, selectors, order, remainder, seed) => {
          const targets = fleet(sizes, (i) => ({ ring: String(i % 3) }));
          const plan = planRollout(
            targets,
            { kind: 'waves', order, remainder, waves: selectors.map((select) => ({ select })) },
            0,
            stream(seed),
          );
          const all = plan.flatMap((w) => w.clusters);
          assert.equal(new Set(all).size, all.length);
          if (remainder === 'final-wave') assert.equal(all.length, targets.length);
          assert.ok(plan.every((w) => w.clusters.length > 0 && w.offsets.length === w.clusters.length));
        },
      ),
      { numRuns: 300 },
    );
  });
});
