import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seconds } from '../../../src/engine/index.js';
import { at, startFakeDataPlane } from './fakes.js';
import { KUBEADM_COREDNS, livenessOverload, smallDataPlane, twoReplicaSurge } from './fixtures.js';

const OUTAGE_AT = 120;
const OUTAGE = 1200;

test('a CoreDNS pod restarted during an API outage answers SERVFAIL for cluster names', () => {
  const { sim, cluster, dp } = startFakeDataPlane(smallDataPlane(), { until: 900 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  at(sim, 300, () => dp.restartCoreDns(0));
  let answerWhileDown = '';
  at(sim, 305, () => (answerWhileDown = dp.coreDnsAnswers()[0]!));
  let answerAfterWait = '';
  at(sim, 330, () => (answerAfterWait = dp.coreDnsAnswers()[0]!));
  let answerLater = '';
  at(sim, 800, () => (answerLater = dp.coreDnsAnswers()[0]!));
  sim.run({ until: seconds(900) });
  assert.equal(answerWhileDown, 'refused', 'the container is down, then waits for its informers');
  assert.equal(answerAfterWait, 'servfail', 'past the 5 s startup wait, unsynced: SERVFAIL');
  assert.equal(answerLater, 'servfail', 'it cannot sync while the API is unreachable');
  assert.ok(cluster.events.some((e) => e.kind === 'coredns-restarted'));
});

test('a CoreDNS pod that synced before the outage keeps answering through it', () => {
  const { sim, cluster, dp } = startFakeDataPlane(smallDataPlane(), { until: OUTAGE_AT + OUTAGE - 10 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  at(sim, 300, () => dp.restartCoreDns(0));
  const seen: string[] = [];
  for (let t = OUTAGE_AT + 10; t < OUTAGE_AT + OUTAGE - 10; t += 60)
    at(sim, t, () => seen.push(...dp.coreDnsAnswers().slice(1)));
  sim.run({ until: seconds(OUTAGE_AT + OUTAGE - 10) });
  assert.ok(
    seen.length > 0 && seen.every((a) => a === 'ok'),
    `answers of the untouched replicas: ${[...new Set(seen)].join(',')}`,
  );
});

test('a restarted CoreDNS re-syncs through the API and answers once the API returns', () => {
  const until = OUTAGE_AT + OUTAGE + 120;
  const { sim, cluster, dp } = startFakeDataPlane(smallDataPlane(), { until });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  at(sim, 300, () => dp.restartCoreDns(0));
  let corednsListsBefore = 0;
  at(
    sim,
    OUTAGE_AT + OUTAGE - 1,
    () => (corednsListsBefore = cluster.api.requests.filter((r) => r.user.endsWith(':coredns')).length),
  );
  sim.run({ until: seconds(until) });
  assert.equal(dp.coreDnsAnswers()[0], 'ok');
  const after = cluster.api.requests.filter((r) => r.user.endsWith(':coredns')).length;
  assert.ok(after > corednsListsBefore, 'its informers listed through the API after the outage');
  assert.ok(cluster.events.some((e) => e.kind === 'coredns-synced' && e.t > OUTAGE_AT + OUTAGE));
});

test('with NodeLocal DNSCache, one unsynced replica of three makes lookups fail for the servfail TTL', () => {
  const { sim, cluster, dp } = startFakeDataPlane(smallDataPlane(), { until: 900 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  let before = 0;
  at(sim, 290, () => (before = dp.servfailFraction()));
  at(sim, 300, () => dp.restartCoreDns(0));
  let during = 0;
  at(sim, 600, () => (during = dp.servfailFraction()));
  sim.run({ until: seconds(900) });
  assert.equal(before, 0);
  // Each refresh has a 1-in-3 chance of the unsynced replica; its SERVFAIL is cached node-wide for 5 s.
  assert.ok(during > 0.02 && during < 0.3, `servfail fraction ${during}`);
  assert.ok(dp.availability() < 0.99);
});

test('a query surge after one of two replicas restarts OOM-kills the other', () => {
  const { sim, cluster, dp } = startFakeDataPlane(twoReplicaSurge(), { nodes: 300, until: 600 });
  at(sim, OUTAGE_AT, () => cluster.injectApiOutage(OUTAGE));
  let healthyLoad = 0;
  at(
    sim,
    290,
    () =>
      (healthyLoad = dp
        .metrics()
        .find((m) => m.name === 'coredns_dns_requests_total')!
        .read()),
  );
  at(sim, 300, () => dp.restartCoreDns(0));
  sim.run({ until: seconds(600) });
  assert.ok(
    healthyLoad < 2 * 1500 * 0.8,
    `the two replicas carry the normal load (${healthyLoad.toFixed(0)} queries/s)`,
  );
  const ooms = cluster.events.filter((e) => e.kind === 'coredns-oom-killed');
  assert.ok(ooms.length > 0, 'the surviving replica is OOM-killed by the surge');
  assert.ok(ooms[0]!.t < 400);
  assert.ok(
    dp.coreDnsAnswers().every((a) => a !== 'ok'),
    'no replica answers: both restarted without the API',
  );
});

test('liveness restarts a replica whose queue delays the probe past its timeout, when memory allows', () => {
  const config = livenessOverload();
  const { sim, cluster } = startFakeDataPlane(config, { nodes: 100, until: 400 });
  sim.run({ until: seconds(400) });
  const restarts = cluster.events.filter((e) => e.kind === 'coredns-restarted');
  assert.ok(restarts.length > 0, 'overloaded without an OOM, the liveness probe kills it');
  assert.match(restarts[0]!.message, /liveness/);
  // initialDelaySeconds 60 + 5 failures 10 s apart.
  assert.ok(restarts[0]!.t >= 60 + 40);
});

test('the autoscaler sizes CoreDNS by the linear rule and follows the node count through the API', () => {
  const config = smallDataPlane({
    coreDns: { ...KUBEADM_COREDNS, restartsPerReplicaHour: 0, churnPerPodHour: 0 },
  });
  const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: 1000, until: 400 });
  const ready = (): number =>
    dp
      .metrics()
      .find((m) => m.name === 'kube_deployment_status_replicas_ready')!
      .read();
  let initial = 0;
  at(sim, 1, () => (initial = ready()));
  at(sim, 60, () => cluster.scaleNodes(2000));
  sim.run({ until: seconds(400) });
  // max(ceil(1000 * 16 / 256), ceil(1000 / 16), 2) = 63, then 125 for 2,000 nodes.
  assert.equal(initial, 63);
  assert.equal(ready(), 125);
});

test('a CoreDNS sized by the scaling guide is OOM-killed by its relist after an API outage; one with room for two copies is not', () => {
  const run = (memoryLimitBytes: number | 'scaling-guide') => {
    const config = smallDataPlane({
      coreDns: {
        ...KUBEADM_COREDNS,
        replicas: { kind: 'fixed', count: 3 },
        memoryLimitBytes,
        restartsPerReplicaHour: 0,
        churnPerPodHour: 0,
      },
    });
    const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: 5000, until: 900 });
    at(sim, OUTAGE_AT, () => cluster.injectApiOutage(300));
    sim.run({ until: seconds(900) });
    return { events: cluster.events, answers: dp.coreDnsAnswers() };
  };
  const guide = run('scaling-guide');
  const relistOoms = guide.events.filter(
    (e) => e.kind === 'coredns-oom-killed' && e.message.includes('(relisting '),
  );
  const pods = new Set(relistOoms.map((e) => /pod (\d+)/.exec(e.message)?.[1]));
  assert.equal(pods.size, 3, 'every replica dies when a relist lands on top of its store');
  assert.ok(
    relistOoms.every((e) => e.t > OUTAGE_AT + 300),
    'the relists land after the API returns',
  );
  assert.ok(
    guide.answers.every((a) => a === 'ok'),
    'a restarted process lists once (one copy) and syncs while the API is up',
  );
  const roomy = run(2 ** 30);
  assert.ok(!roomy.events.some((e) => e.kind === 'coredns-oom-killed'), 'with 1 GiB the relist fits');
});
