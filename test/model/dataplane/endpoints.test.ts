import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seconds } from '../../../src/engine/index.js';
import type { DataPlane } from '../../../src/model/dataplane/index.js';
import { at, startFakeDataPlane } from './fakes.js';
import { smallDataPlane } from './fixtures.js';

const OUTAGE_AT = 120;
const OUTAGE = 1200;
const metric = (dp: DataPlane, name: string): number =>
  dp
    .metrics()
    .find((m) => m.name === name)!
    .read();

/** front and back churn fast; `apiInitiated` decides how much of it needs the API. */
function churning(apiInitiated: number) {
  const base = smallDataPlane();
  return smallDataPlane({
    services: base.services.map((s) => (s.name === 'db' ? s : { ...s, churnPerPodHour: 2 })),
    apiInitiatedChurnFraction: apiInitiated,
  });
}

test('pods that die during an API outage stay in kube-proxy\u2019s endpoints, so connections to them fail', () => {
  const { sim, cluster, dp } = startFakeDataPlane(churning(0), { until: OUTAGE_AT + OUTAGE - 1 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  let writesDuringOutage = -1;
  at(sim, OUTAGE_AT + 1, () => (writesDuringOutage = cluster.api.requests.length));
  sim.run({ until: seconds(OUTAGE_AT + OUTAGE - 1) });
  const stale = metric(dp, 'dataplane_stale_endpoint_fraction');
  assert.ok(stale > 0.1, `stale endpoint fraction ${stale}`);
  assert.ok(dp.serviceAvailability('front') < 0.99);
  assert.ok(metric(dp, 'dataplane_kube_proxy_view_lag_seconds') >= OUTAGE - 2);
  const slices = cluster.api.requests.filter((r) => r.t > OUTAGE_AT && r.key === 'update endpointslices');
  assert.equal(slices.length, 0, 'no EndpointSlice write while kube-controller-manager has no leader');
  assert.ok(writesDuringOutage >= 0);
  assert.ok(cluster.events.some((e) => e.kind === 'endpoints-stale'));
});

test('when the API returns, dead endpoints are withdrawn and replaced by pods on new IPs', () => {
  const until = OUTAGE_AT + OUTAGE + 180;
  const { sim, cluster, dp } = startFakeDataPlane(churning(0), { until });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  sim.run({ until: seconds(until) });
  const back = OUTAGE_AT + OUTAGE;
  const after = cluster.api.requests.filter((r) => r.t >= back);
  assert.ok(
    after.some((r) => r.key === 'update endpointslices'),
    'the EndpointSlice controller writes the slices',
  );
  assert.ok(
    after.some((r) => r.key === 'create pods'),
    'the ReplicaSet controller creates replacements',
  );
  assert.ok(
    after.some((r) => r.key === 'list endpointslices' && r.user.endsWith(':kube-proxy')),
    'kube-proxy relists',
  );
  assert.ok(metric(dp, 'dataplane_stale_endpoint_fraction') < 0.05);
  assert.ok(dp.availability() > 0.99);
  assert.ok(cluster.events.some((e) => e.kind === 'endpoints-resynced'));
});

test('rollouts and API evictions do not start while the API is unreachable', () => {
  const { sim, cluster, dp } = startFakeDataPlane(churning(1), { until: OUTAGE_AT + OUTAGE - 1 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  let staleSeen = 0;
  for (let t = OUTAGE_AT + 60; t < OUTAGE_AT + OUTAGE; t += 60)
    at(sim, t, () => (staleSeen = Math.max(staleSeen, metric(dp, 'dataplane_stale_endpoint_fraction'))));
  sim.run({ until: seconds(OUTAGE_AT + OUTAGE - 1) });
  assert.equal(staleSeen, 0);
  assert.ok(dp.availability() > 0.999);
});

test('pods on nodes the node controller marks NotReady leave the endpoints, taking the service and DNS down', () => {
  const config = smallDataPlane();
  const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: 50, until: 400 });
  at(sim, 100, () => {
    for (let n = 0; n < 50; n++) cluster.nodes.setReady(n, false);
  });
  let down = 1;
  let servfailOrTimeout = 0;
  at(sim, 160, () => {
    down = dp.availability();
    servfailOrTimeout = metric(dp, 'dns_lookup_timeout_fraction') + dp.servfailFraction();
  });
  at(sim, 200, () => {
    for (let n = 0; n < 50; n++) cluster.nodes.setReady(n, true);
  });
  sim.run({ until: seconds(400) });
  assert.ok(down < 0.01, `availability with every node NotReady ${down}`);
  assert.ok(servfailOrTimeout > 0.5, 'CoreDNS endpoints are gone too: lookups fail once caches expire');
  assert.ok(dp.availability() > 0.99, 'pods come back when their nodes are Ready again');
});

test('a headless service is routed by CoreDNS\u2019s view of its endpoints, a ClusterIP service by kube-proxy\u2019s', () => {
  // kube-proxy is cut off from the API (its view freezes); CoreDNS and the controllers are not.
  const run = (headless: boolean): number => {
    const base = churning(0);
    const config = {
      ...base,
      services: base.services.map((s) => (s.name === 'back' ? { ...s, headless } : s)),
    };
    const { sim, cluster, dp } = startFakeDataPlane(config, { until: 1500 });
    at(sim, 60, () => cluster.setClientClassBlocked('kube-proxy', true));
    sim.run({ until: seconds(1500) });
    return dp.serviceAvailability('back');
  };
  const clusterIp = run(false);
  const headless = run(true);
  assert.ok(clusterIp < 0.99, `kube-proxy keeps routing to dead pods (${clusterIp})`);
  assert.ok(headless > 0.999, `CoreDNS answers only live pods (${headless})`);
});
