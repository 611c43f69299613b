/**
 * The data plane on the real control-plane model (createCluster): its informers, EndpointSlice writes
 * and pod creations go through APF, the API servers and their outage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation, seconds } from '../../../src/engine/index.js';
import { createCluster } from '../../../src/model/cluster.js';
import { createEventLog } from '../../../src/model/component.js';
import type { DataPlaneConfig } from '../../../src/model/config.js';
import { createDataPlane } from '../../../src/model/dataplane/index.js';
import { at, fakeClusterConfig } from './fakes.js';
import { DNS_APISERVER_OUTAGE, OUTAGE_SCENARIO as S } from './fixtures.js';

function startReal(config: DataPlaneConfig, until: number) {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog(10_000);
  // Aggregate fidelity keeps the 1,000 kubelets and kube-proxies to 100 cohorts; the data plane runs
  // its own CoreDNS informers, so the cluster's baseline ones are off.
  const cluster = createCluster(
    sim,
    { ...fakeClusterConfig('real', S.nodes, config), fidelity: 'aggregate' },
    { log, until, coreDnsWatchers: false },
  );
  const dp = createDataPlane(sim, cluster, config, { until });
  cluster.addComponent(dp);
  const relists = cluster
    .components()
    .flatMap((c) => c.metrics())
    .find((m) => m.name === 'reflector_lists_total');
  assert.ok(relists, 'the cluster declares reflector_lists_total');
  return { sim, log, cluster, dp, relists };
}

test('on the real control plane, a CoreDNS replica restarted during an outage answers SERVFAIL until the API returns, the others keep answering', () => {
  const until = 2400;
  const { sim, log, cluster, dp, relists } = startReal(DNS_APISERVER_OUTAGE, until);
  const outageEnd = 600 + 900;
  at(sim, 600, () => cluster.injectApiOutage(900));
  at(sim, 700, () => dp.restartCoreDns(0));
  const during: string[][] = [];
  at(sim, 1400, () => during.push([...dp.coreDnsAnswers()]));
  let availabilityDuring = 1;
  at(sim, 1400, () => (availabilityDuring = dp.availability()));
  let relistsBefore = 0;
  at(sim, outageEnd - 10, () => (relistsBefore = relists.read()));
  let relistPeak = 0;
  for (let t = outageEnd; t < outageEnd + 300; t += 10)
    at(sim, t, () => (relistPeak = Math.max(relistPeak, relists.read())));
  sim.run({ until: seconds(until) });
  const [restarted, ...others] = during[0]!;
  assert.equal(restarted, 'servfail');
  assert.ok(others.every((a) => a === 'ok'));
  assert.ok(
    availabilityDuring < 0.99,
    `one unsynced replica of ${others.length + 1} costs availability (${availabilityDuring})`,
  );
  assert.equal(dp.coreDnsAnswers()[0], 'ok', 'it synced through the API once the API returned');
  assert.ok(log.events.some((e) => e.kind === 'coredns-synced' && e.t > outageEnd));
  assert.ok(
    relistPeak > relistsBefore + 1,
    `relists after the return (${relistPeak.toFixed(1)}/s) show in the control plane`,
  );
  assert.ok(dp.availability() > 0.99);
});

test('on the real control plane, the dns-apiserver-outage scenario holds, falls below 99% before the outage ends, then recovers', () => {
  const { sim, cluster, dp } = startReal(DNS_APISERVER_OUTAGE, S.duration);
  at(sim, S.outageAt, () => cluster.injectApiOutage(S.outageDuration));
  const availability: number[] = [];
  for (let t = 0; t <= S.duration; t += 10) at(sim, t, () => availability.push(dp.availability()));
  sim.run({ until: seconds(S.duration) });
  const min = (from: number, to: number): number => Math.min(...availability.slice(from / 10, to / 10 + 1));
  const end = S.outageAt + S.outageDuration;
  assert.ok(min(0, S.outageAt) >= 0.999);
  assert.ok(min(S.outageAt, S.outageAt + 180) >= 0.99);
  assert.ok(min(S.outageAt, end) < 0.99);
  assert.ok(min(end + 600, S.duration) >= 0.99);
  const summary = dp.summary();
  assert.ok(summary.services.impactStartedAt !== null && summary.services.impactStartedAt > S.outageAt);
});
