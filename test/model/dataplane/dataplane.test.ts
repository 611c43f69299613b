import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seconds } from '../../../src/engine/index.js';
import type { DataPlaneConfig } from '../../../src/model/config.js';
import { at, startFakeDataPlane } from './fakes.js';
import {
  DNS_APISERVER_OUTAGE,
  DNS_APISERVER_OUTAGE_SERVE_STALE,
  OUTAGE_SCENARIO as S,
  smallDataPlane,
} from './fixtures.js';

const STEP = 10;
const END = S.outageAt + S.outageDuration;

/** Runs a built-in outage scenario on the fake cluster; availability every 10 s. */
function runOutage(config: DataPlaneConfig) {
  const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: S.nodes, until: S.duration });
  at(sim, S.outageAt, () => cluster.injectApiOutage(S.outageDuration));
  const availability: number[] = [];
  for (let t = 0; t <= S.duration; t += STEP) at(sim, t, () => availability.push(dp.availability()));
  sim.run({ until: seconds(S.duration) });
  const min = (from: number, to: number): number =>
    Math.min(...availability.slice(from / STEP, to / STEP + 1));
  return { cluster, dp, min };
}

const plain = runOutage(DNS_APISERVER_OUTAGE);
const stale = runOutage(DNS_APISERVER_OUTAGE_SERVE_STALE);

test('customer availability holds for the first minutes of an API outage, then falls below 99% before it ends', () => {
  assert.ok(plain.min(0, S.outageAt) >= 0.999, 'healthy before the outage');
  assert.ok(
    plain.min(S.outageAt, S.outageAt + 180) >= 0.99,
    'caches and synced CoreDNS replicas carry the first minutes',
  );
  assert.ok(
    plain.min(S.outageAt, END) < 0.99,
    'restarts and churn run the caches out before the API returns',
  );
  const summary = plain.dp.summary();
  assert.ok(summary.services.availabilityMin < 0.99);
  assert.ok(summary.services.impactStartedAt !== null && summary.services.impactStartedAt > S.outageAt + 180);
  assert.ok(summary.services.impactStartedAt < END);
});

test('after the API returns the data plane recovers by itself, through relists and endpoint writes', () => {
  assert.ok(plain.min(END + 600, S.duration) >= 0.99, 'available again within ten minutes of the return');
  const after = plain.cluster.api.requests.filter((r) => r.t >= END && r.t < END + 600);
  const relists = after.filter(
    (r) => r.key.startsWith('list ') && (r.user.endsWith(':coredns') || r.user.endsWith(':kube-proxy')),
  );
  assert.ok(relists.length > 0, 'CoreDNS and kube-proxy informers relist');
  assert.ok(after.some((r) => r.key === 'update endpointslices'));
  assert.ok(plain.cluster.events.some((e) => e.kind === 'service-recovered' && e.t > END));
});

test('with serve_stale in CoreDNS and NodeLocal DNSCache, availability stays at or above 99% for the first hour of the outage', () => {
  assert.ok(
    stale.min(S.outageAt, S.outageAt + 3600) >= 0.99,
    `worst availability ${stale.min(S.outageAt, S.outageAt + 3600)}`,
  );
  assert.ok(stale.dp.summary().services.availabilityMin > plain.dp.summary().services.availabilityMin);
  assert.ok(
    stale.dp.summary().dns.servfailFractionMax < plain.dp.summary().dns.servfailFractionMax ||
      plain.dp.summary().dns.servfailFractionMax === 0,
  );
});

test('the same seed gives the same summary and metrics', () => {
  const run = () => {
    const { sim, cluster, dp } = startFakeDataPlane(
      smallDataPlane({ services: smallDataPlane().services.map((s) => ({ ...s, churnPerPodHour: 1 })) }),
      { until: 1800, seed: 7 },
    );
    at(sim, 300, () => cluster.injectApiOutage(900));
    at(sim, 600, () => dp.restartCoreDns(1));
    sim.run({ until: seconds(1800) });
    return JSON.stringify([dp.summary(), dp.metrics().map((m) => m.read()), cluster.events]);
  };
  assert.equal(run(), run());
});

test('a dependency cycle or an unknown service name is a configuration error that names it', () => {
  const base = smallDataPlane();
  const cyclic = {
    ...base,
    services: base.services.map((s) => (s.name === 'db' ? { ...s, dependsOn: ['front'] } : s)),
  };
  assert.throws(
    () => startFakeDataPlane(cyclic, { until: 10 }),
    /dependency cycle .*front.*back.*db|dependency cycle/,
  );
  const unknown = {
    ...base,
    services: base.services.map((s) => (s.name === 'db' ? { ...s, dependsOn: ['nosuch'] } : s)),
  };
  assert.throws(() => startFakeDataPlane(unknown, { until: 10 }), /"nosuch".*not a service/);
});

test('load above what the serving nodes can take is turned away, and served again once they can', () => {
  let capacity = 1.5;
  const { sim, dp } = startFakeDataPlane(smallDataPlane(), {
    nodes: 100,
    until: 1200,
    userTrafficScale: () => 1,
    servingCapacity: () => capacity,
  });
  const seen: number[] = [];
  at(sim, 300, () => {
    seen.push(dp.availability());
    // 70% of the nodes are scaled away: their 1.5x headroom is now 0.45 of the normal share.
    capacity = 0.45;
  });
  at(sim, 600, () => {
    seen.push(dp.availability());
    capacity = 1;
  });
  at(sim, 900, () => seen.push(dp.availability()));
  sim.run({ until: seconds(1200) });
  assert.ok(seen[0]! >= 0.999, `healthy with headroom (${seen[0]})`);
  assert.ok(Math.abs(seen[1]! - 0.45) < 0.01, `serves 45% of its load (${seen[1]})`);
  assert.ok(seen[2]! >= 0.999, `healthy once capacity meets the load (${seen[2]})`);
});
