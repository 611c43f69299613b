/**
 * Valid scenarios, mutated at random (values replaced, keys deleted, added or misspelt, text
 * corrupted, manifests corrupted): every case must end in a clean validation result (ok, or
 * issues that each have a code, a position and a hint) and, for a sample of the ones that still
 * validate, a successful short run. Never an uncaught exception.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { builtInNames, builtInPath, scenariosDir } from '../../src/scenario/builtins.js';
import type { Issue } from '../../src/scenario/issues.js';
import { loadScenarioDocument, loadScenarioText } from '../../src/scenario/load.js';
import type { LoadHost } from '../../src/scenario/resolve.js';
import { serialize } from '../../src/scenario/serialize.js';
import { simulate } from '../../src/scenario/simulate.js';

const AGENT_MANIFEST = `apiVersion: v1
kind: ServiceAccount
metadata: { name: agent, namespace: ops }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: ops }
spec:
  updateStrategy: { rollingUpdate: { maxUnavailable: 1 } }
  template: { spec: { serviceAccountName: agent } }
`;

const APF_MANIFEST = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: { name: quarantine }
spec:
  type: Limited
  limited: { nominalConcurrencyShares: 1, limitResponse: { type: Reject } }
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: { name: quarantine }
spec:
  matchingPrecedence: 500
  priorityLevelConfiguration: { name: quarantine }
  rules: [{ subjects: [{ kind: ServiceAccount, serviceAccount: { name: agent, namespace: ops } }] }]
`;

/** A small fleet that uses every section of the format. */
const TINY_FLEET = `apiVersion: stormglass.dev/v1alpha1
kind: Scenario
metadata: { name: tiny-fleet, description: every section }
duration: 30m
seed: 3
resolution: 10s
clusterDefaults:
  kubernetesVersion: "1.31"
  apiServer: { replicas: 2, cpu: 4, memory: 16Gi, flags: { max-requests-inflight: 200 } }
  dns:
    coreDns: { replicas: 2, cache: { successTtl: 30s, serveStale: false } }
    nodeLocal: { enabled: true }
  services:
    - { name: web, replicas: 3, userRps: 50, dependsOn: [api] }
    - { name: api, replicas: 3, dnsCache: jvm, churnPerPodHour: 0.1 }
clusters:
  - { name: "big-{index}", count: 2, nodes: 40, labels: { tier: large }, flowControl: { manifests: apf.yaml } }
  - { name: "small-{index:02}", count: 3, nodes: 5, region: eu }
workloads:
  - manifests: agent.yaml
    podStartTime: 3s
    accessProfiles:
      - { name: own-pods, verb: list, resource: pods, resourceVersion: "", fieldSelector: spec.nodeName=x, mode: poll, period: 1m, jitter: 0.1 }
      - { name: nodes, verb: list, resource: nodes, mode: watch, client: { qps: 20, burst: 40 } }
rollout:
  workload: agent
  startAt: 5m
  strategy:
    kind: canary
    canary: largest
    bake: 2m
    afterCanary: { kind: waves, waves: [{ name: large, matchLabels: { tier: large } }, { name: rest, rest: true, spread: 1m }] }
  gate: { checks: [{ signal: api-p99-seconds, max: 1s }, { signal: service-availability, min: 99% }] }
  autoRollback: true
response:
  operators: 2
  actions:
    - { name: block, action: block-client-class, clientClass: agent, after: detection, decisionDelay: 3m }
    - { name: undo, action: kubectl-rollback, workload: agent, after: { action: block }, retryEvery: 1m, maxAttempts: 3 }
    - { name: quarantine, action: apply-apf, manifests: apf.yaml, after: start }
alerts:
  rules:
    - { alert: Rejecting, expr: "sum(rate(apiserver_flowcontrol_rejected_requests_total[5m])) > 1", for: 1m }
faults:
  - { kind: coredns-restart, at: 20m, clusters: [small-01] }
variants:
  no-rollout: { patch: { rollout: null } }
  stale: { patch: { clusterDefaults: { dns: { coreDns: { cache: { serveStale: 1h } } } } } }
`;

interface Base {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly files: Readonly<Record<string, string>>;
}

const bases: Base[] = [
  {
    name: 'tiny-fleet',
    file: '/t/tiny.yaml',
    text: TINY_FLEET,
    files: { '/t/agent.yaml': AGENT_MANIFEST, '/t/apf.yaml': APF_MANIFEST },
  },
];
// The built-ins, with the manifests they reference, read once.
const builtInFiles: Record<string, string> = {};
for (const f of fs.readdirSync(path.join(scenariosDir(), 'manifests'))) {
  builtInFiles[path.join(scenariosDir(), 'manifests', f)] = fs.readFileSync(
    path.join(scenariosDir(), 'manifests', f),
    'utf8',
  );
}
for (const name of builtInNames()) {
  const file = builtInPath(name);
  if (file) bases.push({ name, file, text: fs.readFileSync(file, 'utf8'), files: builtInFiles });
}

/** Text corruption needs a YAML parse per case: use the short files. */
const textBases = bases.filter((b) => b.text.length < 2500);

function memoryHost(files: Readonly<Record<string, string>>): LoadHost {
  return {
    readFile: (file) => {
      const text = files[file];
      return text === undefined ? { kind: 'missing' } : { kind: 'ok', text };
    },
  };
}

type Path = (string | number)[];

function allPaths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      allPaths(v, [...at, i], out);
    });
  } else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) allPaths(v, [...at, k], out);
  return out;
}

function containerAt(root: unknown, p: Path): unknown {
  let cur = root;
  for (const seg of p) cur = (cur as Record<string | number, unknown>)[seg];
  return cur;
}

/** Values a mutation may put anywhere: typical mistakes as well as junk. */
const junk = fc.oneof(
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(
    0,
    -1,
    1e9,
    1e18,
    0.5,
    1.3,
    '',
    '0',
    '1h',
    '90s',
    '-5m',
    '2d',
    '500m',
    '128Gi',
    '64GB',
    '50%',
    'all',
    'largest',
    '{index}',
    'a-{index}',
    'true',
    'null',
    '*',
    'list',
    'watch',
    'poll',
    'DaemonSet',
    'Limited',
    '$(NODE_NAME)',
  ),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), {
    maxKeys: 3,
  }),
);

type Mutation =
  | { op: 'set'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'typo'; at: number; offset: number }
  | { op: 'duplicate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: junk }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.string({ minLength: 1, maxLength: 10 }),
    value: junk,
  }),
  fc.record({ op: fc.constant('typo' as const), at: fc.nat(), offset: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = allPaths(root);
  const p = paths[m.at % paths.length] ?? [];
  if (p.length === 0) return m.op === 'set' ? m.value : root;
  const parent = containerAt(root, p.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = p[p.length - 1] as string | number;
  switch (m.op) {
    case 'set':
      (parent as Record<string | number, unknown>)[key] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key];
      break;
    case 'add': {
      const target = containerAt(root, p);
      if (target !== null && typeof target === 'object' && !Array.isArray(target))
        (target as Record<string, unknown>)[m.key] = m.value;
      break;
    }
    case 'typo': {
      if (typeof key !== 'string' || Array.isArray(parent)) break;
      const i = m.offset % Math.max(1, key.length);
      const typo = key.slice(0, i) + key.slice(i + 1, i + 2) + key.slice(i, i + 1) + key.slice(i + 2);
      const value = (parent as Record<string, unknown>)[key];
      delete (parent as Record<string, unknown>)[key];
      (parent as Record<string, unknown>)[typo || 'x'] = value;
      break;
    }
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
      break;
  }
  return root;
}

function checkIssues(issues: readonly Issue[]): void {
  assert.ok(issues.length > 0, 'a failed load reports at least one issue');
  for (const i of issues) {
    assert.equal(typeof i.code, 'string');
    assert.ok(i.severity === 'error' || i.severity === 'warning');
    assert.ok(
      Number.isInteger(i.line) && i.line >= 0 && Number.isInteger(i.column) && i.column >= 0,
      JSON.stringify(i),
    );
    assert.ok(i.message.length > 0 && i.hint.length > 0, JSON.stringify(i));
    assert.equal(typeof i.file, 'string');
    assert.equal(typeof i.path, 'string');
  }
  assert.ok(issues.some((i) => i.severity === 'error'));
}

let runs = 0;
const RUN_BUDGET = 20;

async function loadAndMaybeRun(
  input: { text: string } | { value: unknown },
  base: Base,
  files: Readonly<Record<string, string>>,
  tryRun: boolean,
): Promise<void> {
  const host = memoryHost(files);
  const r =
    'text' in input
      ? loadScenarioText(input.text, base.file, { host })
      : loadScenarioDocument(input.value, base.file, { host });
  if (!r.ok) {
    checkIssues(r.issues);
    return;
  }
  const nodes = r.scenario.clusters.reduce((n, c) => n + c.nodes, 0);
  if (tryRun && runs < RUN_BUDGET && nodes <= 20 && r.scenario.clusters.length <= 5) {
    runs++;
    const result = await simulate(r.scenario, { until: Math.min(30, r.scenario.duration) });
    assert.equal(result.clusters.length, r.scenario.clusters.length);
    assert.ok(serialize(result).length > 0);
  }
}

describe('mutated scenarios', () => {
  test('10,000 random mutations end in a clean validation result or a successful run', {
    timeout: 120_000,
  }, async () => {
    for (const b of bases) {
      const r = loadScenarioText(b.text, b.file, { host: memoryHost(b.files) });
      assert.ok(
        r.ok,
        `base ${b.name} must validate before it is mutated: ${r.ok ? '' : JSON.stringify(r.issues)}`,
      );
    }
    const parsed = bases.map((b) => parse(b.text) as unknown);
    let cases = 0;
    // Structural mutations of the scenario document.
    await fc.assert(
      fc.asyncProperty(
        fc.nat(bases.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (bi, ms, tryRun) => {
          cases++;
          const base = bases[bi];
          if (!base) return;
          let doc = structuredClone(parsed[bi]);
          for (const m of ms) doc = applyMutation(doc, m);
          // YAML parsing dominates the cost: most cases hand the mutated value to the pipeline
          // directly; every twentieth goes through YAML text (and so through positions).
          await loadAndMaybeRun(
            cases % 20 === 0 ? { text: stringify(doc) } : { value: doc },
            base,
            base.files,
            tryRun,
          );
        },
      ),
      { numRuns: 8500, seed: 20241211 },
    );
    // Text corruption of the scenario and of its manifests (syntax errors, broken indentation).
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat(6),
      insert: fc.oneof(
        fc.constantFrom('', ':', '-', ' ', '\t', '{', '[', '"', "'", '\n', '&a ', '*a', '<<: ', '#'),
        fc.string({ maxLength: 4 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.nat(textBases.length - 1),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (bi, edits, inManifest) => {
          cases++;
          const base = textBases[bi];
          if (!base) return;
          const corrupt = (text: string): string => {
            let t = text;
            for (const e of edits) {
              const at = e.at % (t.length + 1);
              t = t.slice(0, at) + e.insert + t.slice(at + e.remove);
            }
            return t;
          };
          const manifestFiles = Object.keys(base.files);
          const target = manifestFiles[edits[0]?.at ?? 0 % Math.max(1, manifestFiles.length)];
          if (inManifest && target) {
            await loadAndMaybeRun(
              { text: base.text },
              base,
              { ...base.files, [target]: corrupt(base.files[target] ?? '') },
              false,
            );
          } else {
            await loadAndMaybeRun({ text: corrupt(base.text) }, base, base.files, false);
          }
        },
      ),
      { numRuns: 1500, seed: 20241212 },
    );
    assert.ok(cases >= 10_000, `${cases} cases`);
    assert.ok(runs > 0, 'some mutated scenarios were run');
  });
});
