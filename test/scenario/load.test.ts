import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtInNames } from '../../src/scenario/builtins.js';
import type { Issue } from '../../src/scenario/issues.js';
import { applyVariant, loadScenario, loadScenarioText } from '../../src/scenario/load.js';
import type { LoadHost } from '../../src/scenario/resolve.js';
import type { LoadResult, ResolvedScenario } from '../../src/scenario/types.js';

/** An in-memory file system for manifests. */
export function memoryHost(files: Record<string, string>): LoadHost {
  return {
    readFile(file) {
      const text = files[file];
      return text === undefined ? { kind: 'missing' } : { kind: 'ok', text };
    },
  };
}

const HEAD = 'apiVersion: stormglass.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: t\nduration: 1h\n';

function load(body: string, files: Record<string, string> = {}): LoadResult {
  return loadScenarioText(HEAD + body, '/s/scenario.yaml', { host: memoryHost(files) });
}

function mustLoad(
  body: string,
  files: Record<string, string> = {},
): { scenario: ResolvedScenario; warnings: readonly Issue[] } {
  const r = load(body, files);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.issues, null, 2));
  return r;
}

function mustFail(body: string, files: Record<string, string> = {}): readonly Issue[] {
  const r = load(body, files);
  assert.ok(!r.ok, 'expected the scenario to fail validation');
  return r.issues;
}

const AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: ops }
spec:
  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 10% } }
  template:
    spec:
      serviceAccountName: agent-sa
      containers: [{ name: a, image: x }]
`;

describe('built-in scenarios', () => {
  test('every built-in validates, variants included, without warnings', () => {
    const names = builtInNames();
    for (const expected of [
      'baseline-5k',
      'agent-5k',
      'agent-50',
      'agent-5k-quarantine',
      'dns-apiserver-outage',
      'dns-apiserver-outage-serve-stale',
    ]) {
      assert.ok(names.includes(expected), `missing built-in ${expected}`);
    }
    for (const name of names) {
      const r = loadScenario(name);
      assert.ok(r.ok, `${name}: ${r.ok ? '' : JSON.stringify(r.issues, null, 2)}`);
      assert.deepEqual(r.warnings, [], `${name} has warnings`);
      assert.equal(r.scenario.name, name, 'metadata.name matches the file name');
      assert.ok(r.scenario.description.length > 0, `${name} has a description for stormglass list`);
      for (const v of Object.keys(r.scenario.variants)) assert.ok(applyVariant(r.scenario, v).ok);
    }
  });

  test('agent-5k is 150,000 pods on 1.30 with an agent that lists its node\'s pods with RV "" once a minute', () => {
    const r = loadScenario('agent-5k');
    assert.ok(r.ok);
    const [cluster] = r.scenario.clusters;
    assert.ok(cluster);
    assert.equal(cluster.nodes * cluster.podsPerNode, 150_000);
    assert.equal(cluster.kubernetesVersion, '1.30');
    assert.equal(cluster.apiServer.replicas, 3);
    assert.equal(cluster.apiServer.featureGates?.ConsistentListFromCache, false);
    assert.equal(r.scenario.duration, 3600);
    const [agent] = r.scenario.workloads;
    assert.ok(agent);
    assert.equal(agent.kind, 'DaemonSet');
    assert.deepEqual(agent.identity, { serviceAccount: 'telemetry-agent', namespace: 'telemetry' });
    assert.equal(agent.startAt, 600);
    const [profile] = agent.accessProfiles;
    assert.ok(profile);
    assert.equal(profile.rv, 'consistent');
    assert.equal(profile.fieldSelector, true);
    assert.deepEqual(profile.returns, { kind: 'per-node' });
    assert.equal(profile.period, 60);
    assert.ok(profile.jitter > 0);
  });

  test("agent-5k-quarantine gives the agent's service account its own priority level", () => {
    const r = loadScenario('agent-5k-quarantine');
    assert.ok(r.ok);
    const [cluster] = r.scenario.clusters;
    assert.ok(cluster);
    const [fs] = cluster.flowSchemas;
    const [plc] = cluster.priorityLevels;
    assert.equal(fs?.spec?.priorityLevelConfiguration.name, plc?.metadata?.name);
    assert.equal(fs?.spec?.rules?.[0]?.subjects[0]?.serviceAccount?.name, 'telemetry-agent');
    assert.equal(plc?.spec?.limited?.nominalConcurrencyShares, 1);
  });

  test("dns-apiserver-outage-serve-stale is exactly the outage scenario's serve-stale variant", () => {
    const outage = loadScenario('dns-apiserver-outage');
    const stale = loadScenario('dns-apiserver-outage-serve-stale');
    assert.ok(outage.ok && stale.ok);
    const variant = applyVariant(outage.scenario, 'serve-stale');
    assert.ok(variant.ok);
    assert.deepEqual(variant.scenario.clusters, stale.scenario.clusters);
    assert.deepEqual(variant.scenario.faults, stale.scenario.faults);
    const [c] = stale.scenario.clusters;
    assert.ok(c);
    assert.ok(c.dataPlane.services.length >= 20);
    assert.deepEqual(c.dataPlane.coreDns.cache.serveStale, { duration: 3600, mode: 'immediate' });
    assert.equal(outage.scenario.clusters[0]?.dataPlane.coreDns.cache.serveStale, null);
    assert.deepEqual(outage.scenario.faults, [
      { kind: 'apiserver-unreachable', cluster: 'prod-1k', at: 600, duration: 7200 },
    ]);
  });
});

describe('defaults', () => {
  test('a minimal cluster gets the Kubernetes defaults from the reference', () => {
    const { scenario } = mustLoad('clusters:\n  - name: a\n    nodes: 5000\n');
    const c = scenario.clusters[0];
    assert.ok(c);
    assert.equal(scenario.seed, 1);
    assert.equal(scenario.resolution, 10);
    assert.equal(c.apiServer.maxRequestsInflight, 400);
    assert.equal(c.apiServer.maxMutatingRequestsInflight, 200);
    assert.equal(c.apiServer.requestTimeout, 60);
    assert.equal(c.apiServer.enablePriorityAndFairness, true);
    assert.equal(c.apiServer.cores, 64, 'kube-up sizing above 3,000 nodes');
    assert.equal(c.kubernetesVersion, '1.31');
    assert.equal(c.dataPlane.coreDns.cache.successTtl, 30);
    assert.equal(c.dataPlane.coreDns.recordTtl, 30);
    assert.equal(c.dataPlane.nodeLocal.successTtl, 30);
    assert.equal(c.dataPlane.nodeLocal.denialTtl, 5);
    assert.deepEqual(c.dataPlane.resolver, { ndots: 5, timeout: 5, attempts: 2, searchDomains: 3 });
    assert.equal(scenario.alerts.evaluationInterval, 30);
    assert.ok(scenario.alerts.rules.some((r) => r.name === 'KubeAPIErrorBudgetBurn'));
  });

  test('an informer\'s LIST defaults to resourceVersion "0" and page size 500, a poll to "" and no limit', () => {
    const { scenario } = mustLoad(`clusters: [{ name: a, nodes: 3 }]
workloads:
  - name: w
    kind: Deployment
    replicas: 2
    accessProfiles:
      - { name: informer, verb: list, resource: nodes, mode: watch }
      - { name: poller, verb: list, resource: pods, mode: poll, period: 30s }
      - { name: getter, verb: get, resource: configmaps, mode: poll, period: 10s }
`);
    const [informer, poller, getter] = scenario.workloads[0]?.accessProfiles ?? [];
    assert.equal(informer?.rv, 'any');
    assert.equal(informer?.limit, 500);
    assert.equal(poller?.rv, 'consistent');
    assert.equal(poller?.limit, 0);
    assert.deepEqual(poller?.returns, { kind: 'all' });
    assert.equal(getter?.scope, 'resource');
    assert.deepEqual(getter?.returns, { kind: 'fixed', objects: 1 });
    assert.equal(getter?.client.qps, 5);
    assert.equal(getter?.client.burst, 10);
  });
});

describe('fleets', () => {
  test('count with a name pattern expands into numbered clusters that share clusterDefaults', () => {
    const { scenario } = mustLoad(`clusterDefaults:
  kubernetesVersion: "1.30"
  apiServer: { replicas: 5 }
clusters:
  - { name: "large-{index:02}", count: 3, nodes: 7500, labels: { tier: large } }
  - { name: "small-{index}", count: 200, nodes: 100, apiServer: { cpu: 4 } }
`);
    assert.equal(scenario.clusters.length, 203);
    assert.deepEqual(
      scenario.clusters.slice(0, 3).map((c) => c.name),
      ['large-01', 'large-02', 'large-03'],
    );
    assert.equal(scenario.clusters[202]?.name, 'small-200');
    assert.equal(scenario.clusters[0]?.apiServer.replicas, 5);
    assert.equal(scenario.clusters[5]?.apiServer.replicas, 5, 'defaults merge under entry fields');
    assert.equal(scenario.clusters[5]?.apiServer.cores, 4);
    assert.equal(scenario.clusters[0]?.kubernetesVersion, '1.30');
    assert.deepEqual(scenario.clusters[0]?.labels, { tier: 'large' });
  });

  test('node start-up and the fleet registry read their units, and default when absent', () => {
    const { scenario } = mustLoad(`fleet: { trafficHeadroom: 20%, registryBandwidth: 5G }
clusterDefaults:
  nodeStartup: { provisioning: 2m, imageBytes: 12Gi }
clusters:
  - { name: a, nodes: 100 }
  - { name: b, nodes: 100, nodeStartup: { nodeBandwidth: 50M } }
`);
    assert.deepEqual(scenario.fleet, { trafficHeadroom: 0.2, registryBytesPerSecond: 5e9 });
    assert.deepEqual(scenario.clusters[0]?.nodeStartup, {
      provisioningSeconds: 120,
      imageBytes: 12 * 2 ** 30,
      nodeBytesPerSecond: 125e6,
    });
    assert.equal(scenario.clusters[1]?.nodeStartup?.nodeBytesPerSecond, 50e6);
    const plain = mustLoad('clusters:\n  - { name: a, nodes: 100 }\n').scenario;
    assert.deepEqual(plain.fleet, { trafficHeadroom: 0.5, registryBytesPerSecond: 25e9 });
  });

  test('a misspelt node start-up field is named with its line and a suggestion', () => {
    const issues = mustFail(`clusters:
  - name: a
    nodes: 100
    nodeStartup: { imageSize: 10Gi }
`);
    const unknown = issues.find((i) => i.path === 'clusters[0].nodeStartup.imageSize');
    assert.ok(unknown, JSON.stringify(issues));
    assert.equal(unknown.line, 9);
    assert.match(unknown.hint, /imageBytes/);
  });

  test('a fleet larger than the simulator supports is rejected with the limit and its reason', () => {
    const issues = mustFail('clusters:\n  - { name: "c-{index}", count: 2000, nodes: 2000 }\n');
    const limit = issues.find((i) => i.code === 'limit-exceeded');
    assert.ok(limit?.hint.includes('simulator limit'));
  });
});

describe('manifests', () => {
  test('a kubectl List dump is read like multi-document YAML, with percent maxUnavailable kept', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${AGENT.split('\n')
      .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
      .join('\n')}\n`;
    const { scenario } = mustLoad(
      `clusters: [{ name: a, nodes: 3 }]
workloads:
  - manifests: list.yaml
    accessProfiles: [{ name: p, verb: list, resource: pods, mode: watch }]
`,
      { '/s/list.yaml': list },
    );
    const w = scenario.workloads[0];
    assert.equal(w?.name, 'agent');
    assert.deepEqual(w?.identity, { serviceAccount: 'agent-sa', namespace: 'ops' });
    assert.equal(w?.rollout.maxUnavailablePercent, 10);
  });

  test('RBAC in the manifests that does not allow the profile is a warning', () => {
    const rbac = `${AGENT}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: r }
rules: [{ apiGroups: [""], resources: [nodes], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: b }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r }
subjects: [{ kind: ServiceAccount, name: agent-sa, namespace: ops }]
`;
    const { warnings } = mustLoad(
      `clusters: [{ name: a, nodes: 3 }]
workloads:
  - manifests: m.yaml
    accessProfiles: [{ name: p, verb: list, resource: pods, mode: poll, period: 1m }]
`,
      { '/s/m.yaml': rbac },
    );
    assert.equal(warnings[0]?.code, 'rbac-forbids-access');
    assert.equal(warnings[0]?.path, 'workloads[0].accessProfiles[0].verb');
  });

  test("a FlowSchema may point at a bootstrap priority level; one in a workload's manifests is misplaced", () => {
    const fs = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: { name: f }
spec:
  priorityLevelConfiguration: { name: workload-low }
  rules: [{ subjects: [{ kind: Group, group: { name: g } }] }]
`;
    const ok = mustLoad('clusters: [{ name: a, nodes: 3, flowControl: { manifests: f.yaml } }]\n', {
      '/s/f.yaml': fs,
    });
    assert.equal(
      ok.scenario.clusters[0]?.flowSchemas[0]?.spec?.matchingPrecedence,
      1000,
      'API-server defaulting',
    );
    const issues = mustFail(
      'clusters: [{ name: a, nodes: 3 }]\nworkloads: [{ manifests: m.yaml, accessProfiles: [{ name: p, verb: get, resource: pods, mode: poll, period: 1m }] }]\n',
      { '/s/m.yaml': `${AGENT}---\n${fs}` },
    );
    assert.ok(issues.some((i) => i.code === 'manifest-misplaced' && i.file === '/s/m.yaml' && i.line === 12));
  });
});

describe('rollout, response and alerts', () => {
  const fleet = `clusters:
  - { name: "big-{index}", count: 2, nodes: 5000, labels: { tier: large } }
  - { name: "small-{index}", count: 20, nodes: 100 }
workloads:
  - name: agent
    kind: DaemonSet
    namespace: telemetry
    serviceAccount: agent
    accessProfiles: [{ name: p, verb: list, resource: pods, mode: poll, period: 1m }]
`;

  test('a canary rollout with waves and a gate maps onto the rollout model', () => {
    const { scenario } = mustLoad(`${fleet}rollout:
  workload: agent
  startAt: 28m
  strategy:
    kind: canary
    canary: largest
    bake: 30m
    afterCanary:
      kind: waves
      order: largest-first
      waves:
        - { name: large, matchLabels: { tier: large } }
        - { name: ten, percent: 10%, spread: 5m }
        - { name: rest, rest: true }
  gate:
    checks:
      - { signal: api-p99-seconds, max: 1s }
      - { signal: service-availability, min: 99% }
  autoRollback: true
`);
    const r = scenario.rollout;
    assert.ok(r);
    assert.equal(r.workload, 'agent');
    assert.equal(r.startAt, 1680);
    assert.equal(r.clusters.length, 22);
    assert.equal(scenario.workloads[0]?.startAt, null, 'the rollout decides when the workload appears');
    assert.equal(r.strategy.kind, 'canary');
    if (r.strategy.kind !== 'canary') return;
    assert.deepEqual(r.strategy.canary, { kind: 'largest' });
    assert.equal(r.strategy.afterCanary.kind, 'waves');
    if (r.strategy.afterCanary.kind !== 'waves') return;
    assert.deepEqual(r.strategy.afterCanary.waves[1], {
      name: 'ten',
      select: { kind: 'percent', percent: 10 },
      spreadSeconds: 300,
    });
    assert.deepEqual(r.gate?.checks, [
      { signal: 'api-p99-seconds', max: 1 },
      { signal: 'service-availability', min: 0.99 },
    ]);
    assert.equal(r.autoRollback, true);
  });

  test('a workload deployed by the rollout may not also have startAt', () => {
    const issues = mustFail(
      `${fleet.replace('kind: DaemonSet', 'kind: DaemonSet\n    startAt: 5m')}rollout:\n  workload: agent\n  strategy: { kind: all-at-once, window: 30m }\n`,
    );
    assert.equal(issues[0]?.code, 'rollout-conflict');
    assert.equal(issues[0]?.path, 'workloads[0].startAt');
  });

  test('a playbook maps onto the response model, and an unknown prerequisite is named', () => {
    const { scenario } = mustLoad(`${fleet}response:
  operators: 3
  actions:
    - { name: block, action: block-client-class, clientClass: agent, after: detection, decisionDelay: 20m, clusters: affected }
    - { name: up, action: scale-apiservers, replicas: 6, after: { action: block } }
    - { name: kill, action: kill-switch, workload: agent, after: detection, timePerNode: 2s, parallelism: 100, clusters: all }
    - { name: undo, action: kubectl-rollback, workload: agent, after: { action: up }, retryEvery: 5m, maxAttempts: 10 }
`);
    const actions = scenario.response?.actions ?? [];
    assert.equal(scenario.response?.operators, 3);
    assert.deepEqual(actions[0]?.spec, { kind: 'block-client-class', clientClass: 'agent', blocked: true });
    assert.equal(actions[0]?.decisionDelay, 1200);
    assert.deepEqual(actions[1]?.trigger, { after: 'action', action: 'block' });
    assert.deepEqual(actions[2]?.spec, { kind: 'kill-switch', workload: 'agent', nodesPerSecond: 50 });
    assert.equal(actions[3]?.maxAttempts, 10);
    const issues = mustFail(
      `${fleet}response:\n  actions:\n    - { name: a, action: restore-nodes, after: { action: scale-donw } }\n`,
    );
    assert.equal(issues[0]?.code, 'unknown-reference');
    assert.equal(issues[0]?.path, 'response.actions[0].after.action');
  });

  test("a Prometheus rule becomes the alert engine's expression tree", () => {
    const { scenario } = mustLoad(`clusters: [{ name: a, nodes: 3 }]
alerts:
  defaultRules: false
  rules:
    - alert: Rejections
      expr: sum(rate(apiserver_flowcontrol_rejected_requests_total[5m])) > 5
      for: 5m
      labels: { severity: critical, team: sre }
      annotations: { summary: APF is rejecting }
`);
    assert.deepEqual(scenario.alerts.rules, [
      {
        name: 'Rejections',
        severity: 'critical',
        for: 300,
        labels: { team: 'sre' },
        summary: 'APF is rejecting',
        source: 'scenario rule alerts.rules[0]',
        expr: {
          kind: 'compare',
          left: {
            kind: 'rate',
            series: { metric: 'apiserver_flowcontrol_rejected_requests_total' },
            window: 300,
          },
          op: '>',
          right: { kind: 'number', value: 5 },
        },
      },
    ]);
  });
});

describe('variants', () => {
  test('a variant patches the scenario, merging named lists by name and deleting with null', () => {
    const r = load(`clusters:
  - { name: a, nodes: 100 }
  - { name: b, nodes: 200 }
faults:
  - { kind: coredns-restart, at: 5m }
variants:
  bigger-b:
    description: b doubles
    patch:
      clusters: [{ name: b, nodes: 400 }]
      faults: null
`);
    assert.ok(r.ok);
    assert.equal(r.scenario.faults.length, 2);
    const v = applyVariant(r.scenario, 'bigger-b');
    assert.ok(v.ok);
    assert.equal(v.scenario.variant, 'bigger-b');
    assert.deepEqual(
      v.scenario.clusters.map((c) => [c.name, c.nodes]),
      [
        ['a', 100],
        ['b', 400],
      ],
    );
    assert.deepEqual(v.scenario.faults, []);
    const unknown = applyVariant(r.scenario, 'biger-b');
    assert.ok(!unknown.ok);
    assert.equal(unknown.issues[0]?.hint, 'did you mean "bigger-b"?');
  });

  test('a variant that breaks the scenario fails the load, pointing into its patch', () => {
    const issues = mustFail(`clusters: [{ name: a, nodes: 100 }]
variants:
  huge:
    patch:
      clusters: [{ name: a, nodes: 100000000 }]
`);
    assert.equal(issues[0]?.code, 'limit-exceeded');
    assert.equal(issues[0]?.line, 10);
    assert.ok(issues[0]?.message.startsWith('variant "huge": '));
  });
});
