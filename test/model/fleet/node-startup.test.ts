import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSimulation, type Simulation } from '../../../src/engine/index.js';
import { createEventLog, type LoggedEvent } from '../../../src/model/component.js';
import type { NodeStartupConfig } from '../../../src/model/config.js';
import {
  createNodeStartup,
  type NodeStartup,
  PULL_STEP_SECONDS,
} from '../../../src/model/fleet/node-startup.js';

const GiB = 2 ** 30;
/** 10 GiB per node, 100 MB/s per node, 3 min to boot. */
const STARTUP: NodeStartupConfig = {
  provisioningSeconds: 180,
  imageBytes: 10 * GiB,
  nodeBytesPerSecond: 100e6,
};

interface Setup {
  readonly sim: Simulation;
  readonly startup: NodeStartup;
  readonly events: LoggedEvent[];
  readonly apiUp: boolean[];
}

function setup(
  clusters: { region: string; nodes: number; podsPerNode?: number }[],
  registryBytesPerSecond: number,
  config: NodeStartupConfig = STARTUP,
): Setup {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const apiUp = clusters.map(() => true);
  const startup = createNodeStartup(sim, {
    clusters: clusters.map((c, i) => ({
      name: `c${i}`,
      region: c.region,
      nodes: c.nodes,
      podsPerNode: c.podsPerNode ?? 0,
      startup: config,
      isApiUp: () => apiUp[i]!,
    })),
    registryBytesPerSecond,
    log,
  });
  return { sim, startup, events: (log as unknown as { events: LoggedEvent[] }).events, apiUp };
}

/** When cluster i first serves at least `fraction` of its nodes, seconds (run until `until`). */
function timeToServe(s: Setup, i: number, fraction: number, until: number): number | null {
  let reached: number | null = null;
  const probe = (): void => {
    if (reached === null && s.startup.servingFraction(i) >= fraction - 1e-12) reached = s.sim.now;
    if (s.sim.now + PULL_STEP_SECONDS <= until) s.sim.schedule(PULL_STEP_SECONDS, probe, undefined);
  };
  s.sim.schedule(0, probe, undefined);
  s.sim.run({ until });
  return reached;
}

test('a scale-down takes its nodes out of service at once', () => {
  const s = setup([{ region: 'r', nodes: 1000 }], 10e9);
  s.startup.resized(0, 1000, 300);
  assert.equal(s.startup.servingNodes(0), 300);
  assert.equal(s.startup.servingFraction(0), 0.3);
});

test('restored nodes serve only after they boot and pull their images, at their own download rate', () => {
  const s = setup([{ region: 'r', nodes: 10 }], 1e12);
  s.startup.resized(0, 10, 0);
  s.startup.resized(0, 0, 10);
  // Plenty of registry bandwidth: each node pulls 10 GiB at 100 MB/s = 107 s after a 180 s boot.
  const full = timeToServe(s, 0, 1, 3600);
  assert.ok(
    full !== null && full >= 180 + 107 && full <= 180 + 107 + 2 * PULL_STEP_SECONDS,
    `full at ${full}`,
  );
  assert.ok(s.events.some((e) => e.kind === 'node-images-pulling'));
  assert.ok(s.events.some((e) => e.kind === 'nodes-serving'));
});

test('nodes pulling in one region share its registry: twice the nodes take twice as long', () => {
  const registry = 1e9;
  const one = setup([{ region: 'r', nodes: 1000 }], registry);
  one.startup.resized(0, 1000, 0);
  one.startup.resized(0, 0, 1000);
  const t1 = timeToServe(one, 0, 1, 48 * 3600)!;
  const two = setup(
    [
      { region: 'r', nodes: 1000 },
      { region: 'r', nodes: 1000 },
    ],
    registry,
  );
  for (const i of [0, 1]) {
    two.startup.resized(i, 1000, 0);
    two.startup.resized(i, 0, 1000);
  }
  const t2 = timeToServe(two, 0, 1, 48 * 3600)!;
  // 1000 nodes x 10 GiB at 1 GB/s: 10,737 s of pulling after the boot.
  assert.ok(Math.abs(t1 - 180 - 10_737) <= 2 * PULL_STEP_SECONDS, `t1 ${t1}`);
  assert.ok(Math.abs(t2 - 180 - 2 * 10_737) <= 3 * PULL_STEP_SECONDS, `t2 ${t2}`);
});

test('regions do not share a registry', () => {
  const s = setup(
    [
      { region: 'east', nodes: 1000 },
      { region: 'west', nodes: 1000 },
    ],
    1e9,
  );
  for (const i of [0, 1]) {
    s.startup.resized(i, 1000, 0);
    s.startup.resized(i, 0, 1000);
  }
  const t = timeToServe(s, 0, 1, 48 * 3600)!;
  assert.ok(Math.abs(t - 180 - 10_737) <= 2 * PULL_STEP_SECONDS, `t ${t}`);
});

test("new nodes wait for their cluster's API server before they pull", () => {
  const s = setup([{ region: 'r', nodes: 100 }], 1e12);
  s.startup.resized(0, 100, 0);
  s.apiUp[0] = false;
  s.startup.resized(0, 0, 100);
  s.sim.scheduleAt(1800, () => (s.apiUp[0] = true), undefined);
  const t = timeToServe(s, 0, 1, 7200)!;
  assert.ok(t >= 1800 + 107, `served at ${t}, before the API server came back`);
  assert.equal(s.startup.servingNodes(0), 100);
});

test('a scale-down during a restore removes the nodes still pulling first', () => {
  const s = setup([{ region: 'r', nodes: 1000 }], 1e12);
  s.startup.resized(0, 1000, 300);
  s.startup.resized(0, 300, 1000);
  s.startup.resized(0, 1000, 500);
  assert.equal(s.startup.startingNodes(0), 200);
  assert.equal(s.startup.servingNodes(0), 300);
});

test('serving capacity grows steadily during a restore and never passes the nodes that exist', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 1e8, max: 1e11, noNaN: true }),
      (nodes, kept, registry) => {
        const s = setup([{ region: 'r', nodes }], registry);
        const down = Math.floor(nodes * kept);
        s.startup.resized(0, nodes, down);
        s.startup.resized(0, down, nodes);
        let last = s.startup.servingNodes(0);
        assert.equal(last, down);
        const check = (): void => {
          const now = s.startup.servingNodes(0);
          assert.ok(now >= last - 1e-9, 'capacity never falls during a restore');
          assert.ok(now <= nodes + 1e-9, 'never more than the nodes that exist');
          last = now;
          if (s.sim.now < 24 * 3600) s.sim.schedule(60, check, undefined);
        };
        s.sim.schedule(60, check, undefined);
        s.sim.run({ until: 24 * 3600 });
      },
    ),
    { numRuns: 40 },
  );
});

test("a restored node waits for its pods: the controllers re-create a removed node's pods at 20 per second", () => {
  const s = setup([{ region: 'r', nodes: 1000, podsPerNode: 30 }], 1e12);
  s.startup.resized(0, 1000, 300);
  assert.equal(s.startup.missingPods(0).toCreate, 700 * 30);
  s.startup.resized(0, 300, 1000);
  // 21,000 pods at 20/s: 1,050 s; images (10 GiB at 100 MB/s, 107 s) are not the limit.
  const t = timeToServe(s, 0, 1, 7200)!;
  assert.ok(t >= 1050 && t <= 1050 + 107 + 3 * PULL_STEP_SECONDS, `full at ${t}`);
  assert.deepEqual(s.startup.missingPods(0), { toCreate: 0, pending: 0 });
});

test('pods are not re-created while the API server is down', () => {
  const s = setup([{ region: 'r', nodes: 100, podsPerNode: 10 }], 1e12);
  s.apiUp[0] = false;
  s.startup.resized(0, 100, 50);
  s.sim.run({ until: 600 });
  assert.equal(s.startup.missingPods(0).toCreate, 500);
  s.apiUp[0] = true;
  s.sim.run({ until: 700 });
  assert.equal(s.startup.missingPods(0).toCreate, 0);
  assert.equal(s.startup.missingPods(0).pending, 500, 'created, Pending: no node for them yet');
});
