import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DataPlaneConfig } from '../../../src/model/config.js';
import { at, startFakeDataPlane } from './fakes.js';
import { DNS_APISERVER_OUTAGE, KUBEADM_COREDNS } from './fixtures.js';

/** Restarts, churn, an outage and a manual restart: every path that changes what CoreDNS answers. */
function trace(isViewCached: boolean, seed: number): unknown[] {
  const config: DataPlaneConfig = {
    ...DNS_APISERVER_OUTAGE,
    coreDns: { ...KUBEADM_COREDNS, restartsPerReplicaHour: 2, churnPerPodHour: 1 },
  };
  const until = 2400;
  const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: 300, seed, until, isViewCached });
  at(sim, 600, () => cluster.api.outage(900));
  at(sim, 700, () => dp.restartCoreDns(0));
  at(sim, 1800, () => dp.restartCoreDns());
  const out: unknown[] = [];
  for (let t = 1; t < until; t += 7)
    at(sim, t, () => out.push([t, dp.availability(), dp.servfailFraction(), dp.coreDnsAnswers().join()]));
  sim.run({ until });
  out.push(
    dp.summary(),
    cluster.events.map((e) => `${e.t} ${e.kind} ${e.message}`),
  );
  return out;
}

test('the cached CoreDNS forward view gives exactly the results of recomputing it every step', () => {
  for (const seed of [1, 2]) assert.deepEqual(trace(true, seed), trace(false, seed));
});
