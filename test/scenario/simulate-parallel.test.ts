import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { createSimulation } from '../../src/engine/index.js';
import {
  createFleetPartition,
  finishFleet,
  planPartitions,
  runPartitions,
} from '../../src/model/fleet/index.js';
import { packageRoot } from '../../src/scenario/builtins.js';
import { applyVariant, loadScenario } from '../../src/scenario/load.js';
import { serialize } from '../../src/scenario/serialize.js';
import { fleetConfig, simulate, toRunResult } from '../../src/scenario/simulate.js';
import { canRunPartitionsOnWorkers, simulateParallel } from '../../src/scenario/simulate-parallel.js';
import type { ResolvedScenario } from '../../src/scenario/types.js';

/** Three clusters, a rollout, alerts and a playbook (rollback, network block); two variants. */
const tinyFleet = path.join(packageRoot(), 'test', 'fixtures', 'fleet', 'tiny-fleet.yaml');

function load(fileOrName: string, variant?: string): ResolvedScenario {
  const loaded = loadScenario(fileOrName);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('; '));
  if (variant === undefined) return loaded.scenario;
  const applied = applyVariant(loaded.scenario, variant);
  if (!applied.ok) throw new Error(applied.issues.map((i) => i.message).join('; '));
  return applied.scenario;
}

/** The scenario run as `count` partitions taking turns in this thread; `windows` counts their windows. */
function runInTurns(
  scenario: ResolvedScenario,
  count: number,
  until: number,
  windows: 'horizon' | 'fixed' = 'horizon',
  stats: { windows?: number; ahead?: number } = {},
): string {
  const config = fleetConfig(scenario, until);
  const owner = planPartitions(scenario.clusters, count);
  const partitions = [...new Set(owner)].map((index) =>
    createFleetPartition(createSimulation({ seed: scenario.seed }), config, { index, count, owner, windows }),
  );
  runPartitions(partitions);
  stats.windows = partitions[0]!.windowsRun;
  stats.ahead = partitions.reduce((n, p) => n + p.windowsAhead, 0);
  return serialize(
    toRunResult(
      scenario,
      scenario.seed,
      until,
      finishFleet(
        config,
        partitions.map((p) => p.finish()),
      ),
    ),
  );
}

/**
 * FM-009's response on a small fleet, to exercise every command and answer that crosses a barrier:
 * one 7,500-node cluster the agent saturates, two small ones; traffic shifted, nodes scaled down and
 * restored, the admin API blocked and unblocked, API servers scaled up, the agent deleted once a
 * probe (requiresApi) answers.
 */
function fm009Slice(names: readonly string[] = ['xl-01', 'small-001', 'small-002']): ResolvedScenario {
  const fm009 = load('fm-009');
  const keep = new Set(names);
  const clusters = fm009.clusters.filter((c) => keep.has(c.name));
  assert.equal(clusters.length, names.length);
  return {
    ...fm009,
    clusters,
    rollout: fm009.rollout === null ? null : { ...fm009.rollout, clusters: clusters.map((c) => c.name) },
  };
}

test('clusters are shared out over partitions by their size, largest first, and every partition gets some', () => {
  const fm009 = load('fm-009');
  const owner = planPartitions(fm009.clusters, 2);
  const xl = fm009.clusters.flatMap((c, i) => (c.name.startsWith('xl-') ? [owner[i]] : []));
  assert.deepEqual(xl.sort(), [0, 0, 1, 1]);
  const nodes = [0, 1].map((p) => fm009.clusters.reduce((n, c, i) => n + (owner[i] === p ? c.nodes : 0), 0));
  assert.ok(Math.abs(nodes[0]! - nodes[1]!) <= 2500, `nodes per partition ${nodes}`);
  assert.deepEqual(planPartitions(fm009.clusters.slice(0, 1), 4), [0]);
});

test('a fleet split into partitions gives the one-partition result, byte for byte', () => {
  for (const variant of [undefined, 'kill-switch', 'apf-quarantine']) {
    const scenario = load(tinyFleet, variant);
    const one = runInTurns(scenario, 1, scenario.duration);
    assert.equal(runInTurns(scenario, 2, scenario.duration), one, `2 partitions, ${variant ?? 'as written'}`);
    assert.equal(runInTurns(scenario, 3, scenario.duration), one, `3 partitions, ${variant ?? 'as written'}`);
    assert.equal(serialize(simulate(scenario)), one);
  }
});

test('the FM-009 playbook on a saturated cluster does the same in any partitioning', () => {
  const scenario = fm009Slice();
  const until = 2.5 * 3600;
  const one = runInTurns(scenario, 1, until);
  const result = JSON.parse(one) as { events: { kind: string; cluster: string; message: string }[] };
  const done = result.events.filter((e) => e.kind === 'response-action-done' && e.cluster === 'xl-01');
  // The run is worth comparing: the agent saturated xl-01 and the whole response played out there.
  for (const action of [
    'move-traffic',
    'scale-down',
    'block-admin-api',
    'scale-up-apiservers',
    'remove-after-scale-down',
    'restore-nodes-after-scale-down',
    'restore-traffic',
  ])
    assert.ok(
      done.some((e) => e.message.startsWith(`${action}:`)),
      `${action} done in xl-01: ${done.map((e) => e.message).join(' | ')}`,
    );
  assert.equal(runInTurns(scenario, 3, until), one);
});

test('windows past a command latency, where the fleet cannot act sooner, give the fixed-window result', () => {
  const tiny = load(tinyFleet);
  // Detection acts at once too (no decision delay, no hands-on time): the horizon must see it coming.
  const instant: ResolvedScenario = {
    ...tiny,
    response:
      tiny.response === null
        ? null
        : {
            ...tiny.response,
            actions: tiny.response.actions.map((a) => ({ ...a, decisionDelay: 0, duration: 0 })),
          },
  };
  const cases: [string, ResolvedScenario, number][] = [
    ['tiny fleet', tiny, tiny.duration],
    ['tiny fleet, kill switch', load(tinyFleet, 'kill-switch'), tiny.duration],
    ['tiny fleet, instant response', instant, tiny.duration],
    ['FM-009 slice', fm009Slice(), 2.5 * 3600],
    // The operators watch big-02's agent pods drain every 30 s, between barriers: they must read the
    // last barrier's rows, not the next window's (the exchange overwrites those).
    ['FM-009, big-02', fm009Slice(['big-02', 'small-001']), 3000],
  ];
  for (const [name, scenario, until] of cases) {
    const fixed: { windows?: number; ahead?: number } = {};
    const horizon: { windows?: number; ahead?: number } = {};
    const expected = runInTurns(scenario, 1, until, 'fixed', fixed);
    assert.equal(runInTurns(scenario, 2, until, 'horizon', horizon), expected, name);
    assert.equal(fixed.windows, Math.ceil(until / 10), `${name}: fixed windows are 10 s`);
    assert.equal(fixed.ahead, 0, `${name}: with fixed windows no cluster runs ahead`);
    // While xl-01's nodes come back, the small clusters run on past node start-up's 5 s steps.
    if (name === 'FM-009 slice') assert.ok(horizon.ahead! > 100, `${name}: ${horizon.ahead} windows ahead`);
    // Before the rollout and after the response the fleet only waits: those hours run in long windows.
    assert.ok(
      horizon.windows! < 0.7 * fixed.windows!,
      `${name}: ${horizon.windows} windows against ${fixed.windows} fixed`,
    );
  }
});

test('partitions go to worker threads when the tests run from the compiled dist/', () => {
  assert.equal(canRunPartitionsOnWorkers(), !import.meta.url.endsWith('.ts'));
});

test('worker threads give the one-thread result, byte for byte, and report progress to the end', async () => {
  const scenario = load(tinyFleet);
  const clocks: number[] = [];
  const parallel = await simulateParallel(scenario, {
    seed: 5,
    jobs: 2,
    onProgress: (p) => clocks.push(p.simulated),
  });
  assert.equal(serialize(parallel), serialize(simulate(scenario, { seed: 5 })));
  assert.ok(clocks.length >= 100, `${clocks.length} progress updates`);
  assert.ok(Math.abs(Math.max(...clocks) - scenario.duration) < 1e-6);
  for (let k = 1; k < clocks.length; k++) assert.ok(clocks[k]! >= clocks[k - 1]!, 'progress never goes back');
});

test('a partition that fails rejects the run with its error instead of leaving the others waiting', async () => {
  const scenario = load(tinyFleet);
  await assert.rejects(simulateParallel(scenario, { jobs: 2, until: Number.NaN }), /NaN/);
});
