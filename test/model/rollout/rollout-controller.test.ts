import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createSimulation, type Simulation } from '../../../src/engine/index.js';
import { createEventLog } from '../../../src/model/component.js';
import {
  type AllAtOnceStrategy,
  controlPlaneGate,
  createRolloutController,
  DEFAULT_ROLLBACK_RETRY,
  FLEET_EVENT_SCOPE,
  type GateConfig,
  type RolloutConfig,
  type RolloutStrategy,
} from '../../../src/model/rollout/index.js';
import { createFakeTarget, type FakeTargetSpec } from './fake-target.js';

const allAtOnce = (window: number): AllAtOnceStrategy => ({
  kind: 'all-at-once',
  window,
  order: 'listed',
  spacing: 'even',
});

function config(strategy: RolloutStrategy, overrides: Partial<RolloutConfig> = {}): RolloutConfig {
  return {
    name: 'telemetry',
    startAt: 100,
    strategy,
    bakeSeconds: 600,
    gate: null,
    autoRollback: true,
    rollbackScope: 'all-deployed',
    rollbackRetry: DEFAULT_ROLLBACK_RETRY,
    ...overrides,
  };
}

const p99Gate = (overrides: Partial<GateConfig> = {}): GateConfig => ({
  checks: [{ signal: 'api-p99-seconds', max: 1 }],
  interval: 60,
  failureLimit: 0,
  scope: 'deployed',
  ...overrides,
});

function setup(specs: readonly FakeTargetSpec[], cfg: RolloutConfig, seed = 1) {
  const sim: Simulation = createSimulation({ seed });
  const targets = specs.map((s) => createFakeTarget(sim, s));
  const log = createEventLog();
  const controller = createRolloutController(sim, targets, cfg, { log });
  return { sim, targets, controller, log };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));

/** p99 of 5 s once the change has been on the cluster for `after` seconds. */
const breaksAfter = (after: number) => (_t: number, since: number | null) =>
  since !== null && since >= after ? 5 : 0.2;

describe('rollout controller', () => {
  it('all-at-once deploys each cluster at its planned time over the window, then completes after the bake', () => {
    const { sim, targets, controller, log } = setup(names(4), config(allAtOnce(1800)));
    sim.run();
    assert.deepEqual(
      targets.map((t) => t.deployTimes),
      [[100], [700], [1300], [1900]],
    );
    assert.equal(controller.state, 'completed');
    assert.deepEqual(
      controller.events().map((e) => `${e.t}:${e.kind}`),
      [
        '100:rollout-wave-started',
        '100:rollout-cluster-deployed',
        '700:rollout-cluster-deployed',
        '1300:rollout-cluster-deployed',
        '1900:rollout-cluster-deployed',
        '2500:rollout-completed',
      ],
    );
    assert.equal(log.events[0]!.cluster, FLEET_EVENT_SCOPE);
    assert.equal(log.events[1]!.cluster, 'c0');
  });

  it('all-at-once in a seeded order is identical for a seed and follows the plan', () => {
    const strategy: RolloutStrategy = {
      kind: 'all-at-once',
      window: 1800,
      order: 'shuffled',
      spacing: 'random',
    };
    const run = (seed: number) => {
      const { sim, targets, controller } = setup(names(20), config(strategy), seed);
      sim.run();
      return { times: targets.map((t) => t.deployTimes[0]!), controller };
    };
    const a = run(3);
    const b = run(3);
    const c = run(4);
    assert.deepEqual(a.times, b.times);
    assert.notDeepEqual(a.times, c.times);
    const wave = a.controller.plan[0]!;
    wave.clusters.forEach((name, i) => {
      assert.equal(a.controller.deployedAt(name), 100 + wave.offsets[i]!);
    });
    assert.ok(a.times.every((t) => t >= 100 && t <= 1900));
  });

  it('waves follow each other after their bake while the gate passes, measuring every interval', () => {
    const strategy: RolloutStrategy = {
      kind: 'waves',
      order: 'listed',
      waves: [
        { select: { kind: 'count', count: 1 } },
        { select: { kind: 'count', count: 2 } },
        { select: { kind: 'rest' } },
      ],
    };
    const { sim, targets, controller } = setup(names(5), config(strategy, { gate: p99Gate() }));
    sim.run();
    assert.deepEqual(
      targets.map((t) => t.deployTimes[0]),
      [100, 700, 700, 1300, 1300],
    );
    const passed = controller.events().filter((e) => e.kind === 'rollout-gate-passed');
    // Measurements at 60, 120, ..., 540 s into each wave, plus one at the end of the 600 s bake.
    assert.deepEqual(
      passed.map((e) => [e.t, e.kind === 'rollout-gate-passed' ? e.measurements : -1]),
      [
        [700, 10],
        [1300, 10],
        [1900, 10],
      ],
    );
    assert.equal(controller.state, 'completed');
  });

  it('a failing gate halts the next waves and rolls back the clusters that got the change', () => {
    const specs = [{ name: 'c0', p99: breaksAfter(120) }, ...names(6).slice(1)];
    const strategy: RolloutStrategy = {
      kind: 'waves',
      order: 'listed',
      waves: [{ select: { kind: 'count', count: 1 } }, { select: { kind: 'rest' } }],
    };
    const { sim, targets, controller, log } = setup(
      specs,
      config(strategy, { gate: p99Gate(), bakeSeconds: 900 }),
    );
    sim.run();
    // Deployed at 100; measurements at 160 (fine) and 220, when the change has been there 120 s.
    assert.equal(controller.state, 'halted');
    assert.equal(controller.haltedAt, 220);
    assert.deepEqual(controller.deployed(), ['c0']);
    assert.ok(targets.slice(1).every((t) => t.deployTimes.length === 0));
    const failed = controller.events().find((e) => e.kind === 'rollout-gate-failed');
    assert.deepEqual(failed, {
      kind: 'rollout-gate-failed',
      t: 220,
      wave: 0,
      cluster: 'c0',
      check: { signal: 'api-p99-seconds', max: 1 },
      value: 5,
    });
    assert.deepEqual(targets[0]!.rollbackStarts, [220]);
    assert.equal(controller.rollbackState('c0'), 'succeeded');
    assert.deepEqual(
      log.events.slice(-4).map((e) => `${e.t}:${e.cluster}:${e.kind}`),
      [
        '220:c0:rollout-gate-failed',
        '220:fleet:rollout-halted',
        '220:c0:rollout-rollback-attempt',
        '221:c0:rollout-rollback-succeeded',
      ],
    );
  });

  it('all-at-once with a gate halts mid-window: clusters not yet reached never get the change', () => {
    const specs = [{ name: 'c0' }, { name: 'c1', p99: breaksAfter(0) }, { name: 'c2' }, { name: 'c3' }];
    const { sim, targets, controller } = setup(
      specs,
      config(allAtOnce(1800), { startAt: 0, gate: p99Gate() }),
    );
    sim.run();
    // c1 is deployed at 600; the measurement due at that instant runs after the deploy and sees it.
    assert.equal(controller.haltedAt, 600);
    assert.deepEqual(controller.deployed(), ['c0', 'c1']);
    assert.equal(targets[2]!.deployTimes.length + targets[3]!.deployTimes.length, 0);
    assert.deepEqual(
      targets.map((t) => t.rollbackStarts.length),
      [1, 1, 0, 0],
    );
  });

  it('a rollback against a saturated API server fails and is retried with exponential backoff until it works', () => {
    // Each call takes 1 s to fail; retries wait 5, 10, 20 s (Argo CD backoff); the API recovers at 230.
    const specs = [{ name: 'c0', rollbackSucceeds: (t: number) => t >= 230 }];
    const { sim, targets, controller } = setup(
      specs,
      config(allAtOnce(0), { startAt: 0, bakeSeconds: 3600 }),
    );
    sim.schedule(200, () => controller.halt('operator froze the pipeline', { rollback: true }), undefined);
    sim.run();
    assert.deepEqual(targets[0]!.rollbackStarts, [200, 206, 217, 238]);
    const failures = controller.events().filter((e) => e.kind === 'rollout-rollback-failed');
    assert.deepEqual(
      failures.map((e) => (e.kind === 'rollout-rollback-failed' ? [e.t, e.attempt, e.retryIn] : [])),
      [
        [201, 1, 5],
        [207, 2, 10],
        [218, 3, 20],
      ],
    );
    assert.equal(controller.rollbackState('c0'), 'succeeded');
  });

  it('a rollback that keeps failing gives up after the policy attempts', () => {
    const specs = [{ name: 'c0', rollbackSucceeds: () => false, rollbackLatency: 60 }];
    const retry = { maxAttempts: 3, initialBackoff: 10, factor: 3, maxBackoff: 20, jitter: 0 };
    const { sim, targets, controller } = setup(
      specs,
      config(allAtOnce(0), { startAt: 0, rollbackRetry: retry }),
    );
    sim.schedule(100, () => controller.halt('operator', { rollback: true }), undefined);
    sim.run();
    // Attempt at 100 fails at 160, wait 10 -> 170 fails at 230, wait min(30, 20) -> 250 fails at 310: give up.
    assert.deepEqual(targets[0]!.rollbackStarts, [100, 170, 250]);
    assert.equal(controller.rollbackState('c0'), 'failed');
    const last = controller.events().at(-1)!;
    assert.deepEqual(last, {
      kind: 'rollout-rollback-failed',
      t: 310,
      cluster: 'c0',
      attempt: 3,
      retryIn: null,
    });
  });

  it('failureLimit tolerates that many failed measurements per wave', () => {
    // One bad measurement (p99 5 s between 150 and 170 s into the rollout).
    const flap = (t: number) => (t >= 150 && t < 170 ? 5 : 0.2);
    const specs = [{ name: 'c0', p99: flap }, { name: 'c1' }];
    const strategy: RolloutStrategy = {
      kind: 'waves',
      order: 'listed',
      waves: [{ select: { kind: 'count', count: 1 } }],
    };
    const tolerant = setup(specs, config(strategy, { gate: p99Gate({ failureLimit: 1 }) }));
    tolerant.sim.run();
    assert.equal(tolerant.controller.state, 'completed');
    const strict = setup(specs, config(strategy, { gate: p99Gate({ failureLimit: 0 }) }));
    strict.sim.run();
    assert.equal(strict.controller.haltedAt, 160);
  });

  it("a gate scoped to the wave ignores earlier waves' clusters; scoped to every deployed cluster it does not", () => {
    // c0 (wave 1) degrades 700 s after its deploy, during wave 2's bake.
    const specs = [{ name: 'c0', p99: breaksAfter(700) }, { name: 'c1' }];
    const strategy: RolloutStrategy = {
      kind: 'waves',
      order: 'listed',
      waves: [{ select: { kind: 'count', count: 1 } }],
    };
    const waveScoped = setup(specs, config(strategy, { gate: p99Gate({ scope: 'wave' }) }));
    waveScoped.sim.run();
    assert.equal(waveScoped.controller.state, 'completed');
    const fleetScoped = setup(specs, config(strategy, { gate: p99Gate({ scope: 'deployed' }) }));
    fleetScoped.sim.run();
    // Wave 2 starts at 700; its measurements fall at 760 and 820, the first after c0 degrades.
    assert.equal(fleetScoped.controller.haltedAt, 820);
    // rollbackScope 'failed-wave' would revert only c1; 'all-deployed' reverts both.
    assert.deepEqual(fleetScoped.controller.deployed(), ['c0', 'c1']);
    assert.ok(fleetScoped.targets.every((t) => t.rollbackStarts.length === 1));
  });

  it('a canary on the largest cluster, gated on control-plane health, stops the change at one cluster', () => {
    // The change saturates clusters above 1,000 nodes (cost grows with size) within a minute.
    const sizes = [300, 7500, 50, 2000, 4000];
    const specs = sizes.map((nodes, i) => ({
      name: `c${i}`,
      nodes,
      p99: (_t: number, since: number | null) => (since !== null && since >= 30 && nodes > 1000 ? 40 : 0.2),
    }));
    const gate = p99Gate({
      checks: [
        { signal: 'api-p99-seconds', max: 1 },
        { signal: 'api-saturated', max: 0 },
      ],
    });
    const canary = (which: { kind: 'largest' } | { kind: 'named'; cluster: string }): RolloutConfig =>
      config({ kind: 'canary', canary: which, bakeSeconds: 1800, afterCanary: allAtOnce(1800) }, { gate });
    const largest = setup(specs, canary({ kind: 'largest' }));
    largest.sim.run();
    assert.deepEqual(largest.controller.deployed(), ['c1']);
    assert.equal(largest.controller.state, 'halted');
    assert.equal(largest.controller.rollbackState('c1'), 'succeeded');
    // The staging trap: a small canary passes its gate, so the change reaches the 7,500-node cluster
    // (at 600 s into the window) before the same gate stops it: a blast radius of three clusters.
    const small = setup(specs, canary({ kind: 'named', cluster: 'c2' }));
    small.sim.run();
    assert.ok(small.controller.events().some((e) => e.kind === 'rollout-gate-passed' && e.wave === 0));
    assert.deepEqual(small.controller.deployed(), ['c2', 'c0', 'c1']);
    assert.equal(small.controller.state, 'halted');
  });

  it('an operator halt stops pending deploys; a manual rollback needs the change to be there', () => {
    const { sim, controller, targets } = setup(names(3), config(allAtOnce(1000), { startAt: 0 }));
    sim.schedule(600, () => controller.halt('freeze'), undefined);
    sim.run();
    assert.deepEqual(controller.deployed(), ['c0', 'c1']);
    assert.equal(targets[0]!.rollbackStarts.length, 0);
    assert.throws(() => controller.rollback('c2'), /never deployed/);
    controller.rollback('c1');
    sim.run();
    assert.equal(controller.rollbackState('c1'), 'succeeded');
  });

  it('the suggested control-plane gate passes a healthy fleet and stops at the first saturated cluster', () => {
    const specs = [
      { name: 'c0', withApf: true },
      // Saturated (p99 past 30 s in the fake) 90 s after the change arrives.
      {
        name: 'c1',
        withApf: true,
        p99: (_t: number, since: number | null) => (since !== null && since >= 90 ? 45 : 0.3),
      },
      { name: 'c2', withApf: true },
    ];
    const strategy: RolloutStrategy = {
      kind: 'waves',
      order: 'listed',
      waves: [{ select: { kind: 'count', count: 1 } }],
    };
    const { sim, controller } = setup(
      specs,
      config(strategy, { gate: controlPlaneGate(), bakeSeconds: 600 }),
    );
    sim.run();
    // Wave 0 (c0) passes at 700; c1 and c2 are deployed at 700; c1 saturates at 790, seen by the 30 s measurement then.
    assert.equal(controller.haltedAt, 790);
    const failed = controller.events().find((e) => e.kind === 'rollout-gate-failed');
    assert.ok(
      failed?.kind === 'rollout-gate-failed' &&
        failed.cluster === 'c1' &&
        failed.check.signal === 'api-saturated',
    );
    const healthy = setup(
      [
        { name: 'c0', withApf: true },
        { name: 'c1', withApf: true },
      ],
      config(strategy, { gate: controlPlaneGate() }),
    );
    healthy.sim.run();
    assert.equal(healthy.controller.state, 'completed');
  });

  it('refuses a gate on a signal the targets cannot provide, naming them', () => {
    const sim = createSimulation({ seed: 1 });
    const targets = [
      createFakeTarget(sim, { name: 'a', withApf: true }),
      createFakeTarget(sim, { name: 'b' }),
    ];
    const gate = p99Gate({ checks: [{ signal: 'apf-rejections-per-second', max: 5 }] });
    assert.throws(
      () => createRolloutController(sim, targets, config(allAtOnce(0), { gate })),
      /missing on b/,
    );
  });

  it('never deploys a cluster after a halt, for any sequence of gate outcomes and any strategy', () => {
    const strategyArb = fc.oneof(
      fc.record({
        kind: fc.constant('all-at-once' as const),
        window: fc.integer({ min: 0, max: 3600 }),
        order: fc.constantFrom('listed' as const, 'shuffled' as const, 'largest-first' as const),
        spacing: fc.constantFrom('even' as const, 'random' as const),
      }),
      fc.record({
        kind: fc.constant('waves' as const),
        order: fc.constantFrom('listed' as const, 'shuffled' as const),
        waves: fc.array(
          fc.record({
            select: fc.oneof(
              fc.record({ kind: fc.constant('percent' as const), percent: fc.integer({ min: 1, max: 100 }) }),
              fc.record({ kind: fc.constant('count' as const), count: fc.integer({ min: 1, max: 4 }) }),
            ),
            spreadSeconds: fc.integer({ min: 0, max: 600 }),
          }),
          { maxLength: 4 },
        ),
      }),
      fc.record({
        kind: fc.constant('canary' as const),
        canary: fc.constant({ kind: 'largest' as const }),
        afterCanary: fc.record({
          kind: fc.constant('all-at-once' as const),
          window: fc.integer({ min: 0, max: 1800 }),
          order: fc.constant('listed' as const),
          spacing: fc.constant('even' as const),
        }),
      }),
    );
    fc.assert(
      fc.property(
        strategyArb,
        // One outcome per 45 s slot of simulated time: false = every cluster's p99 is bad then.
        fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 20, max: 120 }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.integer(),
        (strategy, outcomes, fleetSize, interval, bake, failureLimit, autoRollback, seed) => {
          const isGood = (t: number) => outcomes[Math.floor(t / 45) % outcomes.length]!;
          const specs = Array.from({ length: fleetSize }, (_, i) => ({
            name: `c${i}`,
            nodes: 100 * ((i * 7) % 5) + 10,
            p99: (t: number) => (isGood(t) ? 0.2 : 5),
          }));
          const gate = p99Gate({ interval, failureLimit });
          const { sim, targets, controller } = setup(
            specs,
            config(strategy, { gate, bakeSeconds: bake, autoRollback }),
            seed,
          );
          sim.run();
          const planned = new Set(controller.plan.flatMap((w) => w.clusters));
          for (const t of targets) {
            assert.ok(t.deployTimes.length <= 1, 'deployed twice');
            if (t.deployTimes.length === 1) assert.ok(planned.has(t.name));
          }
          if (controller.state === 'halted') {
            const haltedAt = controller.haltedAt!;
            for (const t of targets)
              for (const d of t.deployTimes)
                assert.ok(d <= haltedAt, `deployed at ${d} after halt at ${haltedAt}`);
            const deployedAfterHalt = controller
              .events()
              .some((e) => e.kind === 'rollout-cluster-deployed' && e.t > haltedAt);
            assert.equal(deployedAfterHalt, false);
            for (const name of controller.deployed()) {
              assert.equal(controller.rollbackState(name), autoRollback ? 'succeeded' : 'none');
            }
          } else {
            assert.equal(controller.state, 'completed');
            assert.equal(controller.deployed().length, planned.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
