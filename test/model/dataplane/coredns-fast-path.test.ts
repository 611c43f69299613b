import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataPlaneConfig } from '../../../src/model/config.js';
import { at, startFakeDataPlane } from './fakes.js';
import {
  DNS_APISERVER_OUTAGE,
  KUBEADM_COREDNS,
  livenessOverload,
  smallDataPlane,
  twoReplicaSurge,
} from './fixtures.js';

/** The same configuration with every CoreDNS replica given `bytes` of memory. */
function withMemoryLimit(config: DataPlaneConfig, bytes: number): DataPlaneConfig {
  return { ...config, coreDns: { ...config.coreDns, memoryLimitBytes: bytes } };
}

interface Case {
  readonly config: DataPlaneConfig;
  readonly nodes: number;
  readonly until: number;
  readonly script: (s: ReturnType<typeof startFakeDataPlane>) => void;
}

/** Every metric every 3 s, the replicas' answers and the event log: what a run shows of CoreDNS. */
function trace(c: Case, hasSteadyFastPath: boolean, seed: number): unknown[] {
  const run = startFakeDataPlane(c.config, { nodes: c.nodes, seed, until: c.until, hasSteadyFastPath });
  const { sim, cluster, dp } = run;
  c.script(run);
  const out: unknown[] = [];
  for (let t = 1; t < c.until; t += 3)
    at(sim, t, () => out.push([t, dp.metrics().map((m) => m.read()), dp.coreDnsAnswers().join()]));
  sim.run({ until: c.until });
  out.push(
    dp.summary(),
    cluster.events.map((e) => `${e.t} ${e.kind} ${e.message}`),
  );
  return out;
}

const CASES: Record<string, Case> = {
  // Restarts, churn, an outage, manual restarts: replicas leave and re-enter the steady state.
  'restarts and an outage': {
    config: {
      ...DNS_APISERVER_OUTAGE,
      coreDns: { ...KUBEADM_COREDNS, restartsPerReplicaHour: 2, churnPerPodHour: 1 },
    },
    nodes: 300,
    until: 2400,
    script: ({ sim, cluster, dp }) => {
      at(sim, 600, () => cluster.api.outage(900));
      at(sim, 700, () => dp.restartCoreDns(0));
      at(sim, 1800, () => dp.restartCoreDns());
    },
  },
  // A surge past capacity: backlogs, read timeouts and OOM kills.
  'a surge that OOM-kills': {
    config: twoReplicaSurge(),
    nodes: 300,
    until: 900,
    script: ({ sim, cluster, dp }) => {
      at(sim, 120, () => cluster.injectApiOutage(400));
      at(sim, 300, () => dp.restartCoreDns(0));
    },
  },
  // Overloaded with room in memory: the liveness probe fails and restarts it.
  'liveness restarts': {
    config: livenessOverload(),
    nodes: 100,
    until: 500,
    script: () => {},
  },
  // Load surges (background lookups follow the node count) past capacity with room in memory: queues
  // that drain, liveness failures and restarts of replicas that were steady until then.
  'surges that queue': {
    config: withMemoryLimit(twoReplicaSurge(), 64 * 2 ** 30),
    nodes: 100,
    until: 900,
    script: ({ sim, cluster }) => {
      at(sim, 200, () => cluster.scaleNodes(700));
      at(sim, 215, () => cluster.scaleNodes(100));
      at(sim, 404, () => cluster.scaleNodes(700));
      at(sim, 441, () => cluster.scaleNodes(100));
      at(sim, 604, () => cluster.scaleNodes(700));
      at(sim, 760, () => cluster.scaleNodes(100));
    },
  },
  // Autoscaling with the node count, pods dying with their nodes, a relist OOM after an outage.
  'scaling and relists': {
    config: smallDataPlane({
      coreDns: { ...KUBEADM_COREDNS, memoryLimitBytes: 'scaling-guide', restartsPerReplicaHour: 1 },
    }),
    nodes: 1000,
    until: 1500,
    script: ({ sim, cluster }) => {
      at(sim, 60, () => cluster.scaleNodes(2000));
      at(sim, 400, () => cluster.scaleNodes(600));
      at(sim, 700, () => cluster.injectApiOutage(300));
    },
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`serve's steady-replica fast path gives exactly the results of updating every replica (${name})`, () => {
    for (const seed of [1, 2]) assert.deepEqual(trace(c, true, seed), trace(c, false, seed));
  });
}
