/**
 * Stages 2 and 3 of the pipeline: defaults, then cross-field rules. Input is the schema-checked
 * document; output is a ResolvedScenario in the model's types, or issues. Every issue is reported
 * by a path into the raw document, which the SourceIndex turns into file:line:column.
 */
import path from 'node:path';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import { type CorefileSettings, parseCorefile } from './corefile.js';
import { createRandomStream } from '../engine/index.js';
import { defaultAlertRules } from '../model/alerting/default-rules.js';
import type { AlertRule, AlertSeverity } from '../model/alerting/types.js';
import type {
  AccessProfile,
  ClusterConfig,
  CoreDnsConfig,
  DataPlaneConfig,
  Fault,
  ServiceConfig,
  WorkloadConfig,
} from '../model/config.js';
import type {
  ResponseAction,
  ResponseActionSpec,
  ResponseConfig,
  ResponseTrigger,
} from '../model/response/types.js';
import { planRollout } from '../model/rollout/plan.js';
import type {
  AllAtOnceStrategy,
  GateCheck,
  GateConfig,
  RolloutStrategy,
  WaveConfig,
  WavesStrategy,
} from '../model/rollout/types.js';
import { DEFAULTS, defaultApiServerCores, LIMITS } from './defaults.js';
import {
  didYouMean,
  formatPath,
  type Issue,
  type IssueCode,
  type PathSegment,
  type Severity,
} from './issues.js';
import {
  isAllowed,
  type KubeObject,
  type ManifestFile,
  type ManifestWorkload,
  objectIssue,
  parseManifestFileCached,
  type ReadResult,
  rulesFor,
  toFlowSchema,
  toPriorityLevel,
  toWorkload,
} from './manifests.js';
import { parsePromql } from './promql.js';
import type {
  ParsedAccessProfile,
  ParsedAction,
  ParsedAlerts,
  ParsedClusterFields,
  ParsedGate,
  ParsedRollout,
  ParsedScenario,
  ParsedSelector,
  ParsedServeStale,
  ParsedService,
  ParsedStrategy,
  ParsedWave,
  ParsedWorkload,
} from './schema.js';
import { FEATURE_GATES } from './schema.js';
import type { SourceIndex } from './source.js';
import type { ResolvedAlerts, ResolvedRollout, ResolvedScenario } from './types.js';

export interface LoadHost {
  readFile(file: string): ReadResult;
}

export interface ResolveContext {
  readonly root: unknown;
  readonly index: SourceIndex;
  readonly file: string;
  readonly host: LoadHost;
  /** Manifest files already read in this load, by path. */
  readonly manifests: Map<string, ManifestFile | { readonly failed: ReadResult }>;
  /** Message prefix (variants). */
  readonly prefix: string;
  /** Portable name of the source (ResolvedScenario.source); default the file path. */
  readonly source?: string;
}

/** Bootstrap priority levels every v1.31 API server has (apiserver bootstrap/default.go). */
export const BOOTSTRAP_PRIORITY_LEVELS = [
  'exempt',
  'catch-all',
  'system',
  'node-high',
  'leader-election',
  'workload-high',
  'workload-low',
  'global-default',
] as const;
/** The API server restores these on every start; user edits have no effect. */
const MANDATORY_APF_OBJECTS = new Set(['exempt', 'catch-all']);

interface Expanded {
  readonly name: string;
  readonly entry: number;
  readonly fields: ParsedClusterFields;
  readonly labels: Readonly<Record<string, string>>;
  readonly region: string;
}

class Resolver {
  readonly issues: Issue[] = [];
  constructor(private readonly ctx: ResolveContext) {}

  issue(
    at: readonly PathSegment[],
    code: IssueCode,
    message: string,
    hint: string,
    severity: Severity = 'error',
    where: 'key' | 'value' = 'value',
  ): void {
    const loc = this.ctx.index.locate(this.ctx.root, at, where);
    this.issues.push({
      code,
      severity,
      path: formatPath(loc?.path ?? at),
      file: loc?.file ?? this.ctx.file,
      line: loc?.line ?? 0,
      column: loc?.column ?? 0,
      message: this.ctx.prefix + message,
      hint,
    });
  }

  error(at: readonly PathSegment[], code: IssueCode, message: string, hint: string): void {
    this.issue(at, code, message, hint, 'error');
  }

  warn(at: readonly PathSegment[], code: IssueCode, message: string, hint: string): void {
    this.issue(at, code, message, hint, 'warning');
  }

  // -------------------------------------------------------------------------------------------
  // Corefile

  /** Reads and parses a CoreDNS Corefile; its issues point into the Corefile, a missing file at the field. */
  corefile(ref: string, at: readonly PathSegment[]): CorefileSettings | null {
    const file = path.isAbsolute(ref) ? ref : path.join(path.dirname(this.ctx.file), ref);
    const read = this.ctx.host.readFile(file);
    if (read.kind !== 'ok') {
      this.error(
        at,
        'manifest-not-found',
        read.kind === 'missing'
          ? `Corefile ${file} does not exist`
          : `Corefile ${file} cannot be read: ${read.kind === 'error' ? read.message : ''}`,
        'paths are relative to the scenario file; check the spelling, or create the file',
      );
      return null;
    }
    const parsed = parseCorefile(read.text, file);
    this.issues.push(
      ...parsed.issues.map((i) => ({ ...i, path: formatPath(at), message: this.ctx.prefix + i.message })),
    );
    return parsed.settings;
  }

  // -------------------------------------------------------------------------------------------
  // Manifests

  loadManifests(refs: readonly string[], at: readonly PathSegment[]): KubeObject[] {
    const objects: KubeObject[] = [];
    refs.forEach((ref, i) => {
      const where = refs.length === 1 && typeof this.valueAt(at) === 'string' ? at : [...at, i];
      const file = path.isAbsolute(ref) ? ref : path.join(path.dirname(this.ctx.file), ref);
      let loaded = this.ctx.manifests.get(file);
      if (loaded === undefined) {
        const read = this.ctx.host.readFile(file);
        if (read.kind === 'ok') {
          const parsed = parseManifestFileCached(read.text, file, this.ctx.index);
          this.issues.push(...parsed.issues.map((i) => ({ ...i, message: this.ctx.prefix + i.message })));
          loaded = parsed;
        } else {
          loaded = { failed: read };
        }
        this.ctx.manifests.set(file, loaded);
      }
      if ('failed' in loaded) {
        const failure = loaded.failed;
        this.error(
          where,
          'manifest-not-found',
          failure.kind === 'missing'
            ? `manifest file ${file} does not exist`
            : `manifest file ${file} cannot be read: ${failure.kind === 'error' ? failure.message : ''}`,
          'paths are relative to the scenario file; check the spelling, or create the file',
        );
        return;
      }
      objects.push(...loaded.objects);
    });
    return objects;
  }

  private valueAt(at: readonly PathSegment[]): unknown {
    let cur: unknown = this.ctx.root;
    for (const seg of at) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<PathSegment, unknown>)[seg];
    }
    return cur;
  }

  /** FlowSchema/PriorityLevelConfiguration objects; other kinds here are misplaced. */
  apfObjects(
    objects: readonly KubeObject[],
    where: string,
  ): { flowSchemas: { fs: FlowSchema; obj: KubeObject }[]; priorityLevels: PriorityLevelConfiguration[] } {
    const flowSchemas: { fs: FlowSchema; obj: KubeObject }[] = [];
    const priorityLevels: PriorityLevelConfiguration[] = [];
    for (const obj of objects) {
      if (obj.kind === 'FlowSchema') {
        const fs = toFlowSchema(obj, this.ctx.index, this.issues);
        if (fs) flowSchemas.push({ fs, obj });
      } else if (obj.kind === 'PriorityLevelConfiguration') {
        const plc = toPriorityLevel(obj, this.ctx.index, this.issues);
        if (plc) priorityLevels.push(plc);
      } else if (obj.kind !== 'Namespace' && obj.kind !== 'ConfigMap') {
        this.issues.push(
          objectIssue(
            obj,
            this.ctx.index,
            ['kind'],
            'manifest-misplaced',
            `${where} takes FlowSchema and PriorityLevelConfiguration objects, not ${obj.kind}`,
            "move workload objects to a workloads[] entry's manifests",
          ),
        );
      }
    }
    for (const o of [
      ...flowSchemas.map((f) => f.obj),
      ...objects.filter((o) => o.kind === 'PriorityLevelConfiguration'),
    ]) {
      if (MANDATORY_APF_OBJECTS.has(o.name)) {
        this.issues.push(
          objectIssue(
            o,
            this.ctx.index,
            ['metadata', 'name'],
            'apf-mandatory-object',
            `${o.kind} "${o.name}" is a mandatory object: the API server restores it, so this has no effect`,
            'give your object another name',
            'warning',
          ),
        );
      }
    }
    return { flowSchemas, priorityLevels };
  }

  /** Every FlowSchema must point at a priority level that exists (bootstrap names count). */
  checkFlowSchemaTargets(
    flowSchemas: readonly { fs: FlowSchema; obj: KubeObject }[],
    levels: ReadonlySet<string>,
  ): void {
    for (const { fs, obj } of flowSchemas) {
      const target = fs.spec?.priorityLevelConfiguration.name ?? '';
      if (levels.has(target)) continue;
      const suggestion = didYouMean(target, levels);
      this.issues.push(
        objectIssue(
          obj,
          this.ctx.index,
          ['spec', 'priorityLevelConfiguration', 'name'],
          'flowschema-missing-priority-level',
          `${this.ctx.prefix}FlowSchema "${fs.metadata?.name}" points at priority level "${target}", which does not exist`,
          suggestion
            ? `did you mean "${suggestion}"?`
            : `add a PriorityLevelConfiguration named "${target}" to the same manifests, or use a bootstrap level (${BOOTSTRAP_PRIORITY_LEVELS.join(', ')})`,
        ),
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Clusters

  expandClusters(doc: ParsedScenario): Expanded[] {
    const out: Expanded[] = [];
    const seen = new Map<string, number>();
    const defaults = doc.clusterDefaults ?? {};
    doc.clusters.forEach((entry, i) => {
      const { name: pattern, count, ...own } = entry;
      const fields = deepMerge(defaults, own) as ParsedClusterFields;
      const hasIndex = /\{index(:0?\d+)?\}/.test(pattern);
      if (count !== undefined && count > 1 && !hasIndex) {
        this.error(
          ['clusters', i, 'name'],
          'bad-name',
          `count ${count} needs a name pattern, but "${pattern}" has no {index}`,
          `write e.g. name: ${pattern}-{index} (or {index:03} for zero-padded numbers)`,
        );
        return;
      }
      if (count === undefined && hasIndex) {
        this.error(
          ['clusters', i, 'name'],
          'bad-name',
          `"${pattern}" is a pattern but count is missing`,
          'add count: N, or remove {index}',
        );
        return;
      }
      const n = count ?? 1;
      for (let k = 1; k <= n; k++) {
        const name = pattern.replace(
          /\{index(?::(0?)(\d+))?\}/g,
          (_m, zero: string | undefined, width: string | undefined) =>
            width
              ? String(k)
                  .padStart(Number(width), zero === '0' ? '0' : ' ')
                  .replace(/ /g, '0')
              : String(k),
        );
        if (name.length > 63) {
          this.error(
            ['clusters', i, 'name'],
            'bad-name',
            `cluster name "${name}" is longer than 63 characters`,
            'shorten the name pattern',
          );
          return;
        }
        const prev = seen.get(name);
        if (prev !== undefined) {
          this.error(
            ['clusters', i, 'name'],
            'duplicate-name',
            `cluster name "${name}" is used twice (first by clusters[${prev}])`,
            'give every cluster a unique name',
          );
          continue;
        }
        seen.set(name, i);
        out.push({
          name,
          entry: i,
          fields,
          labels: fields.labels ?? {},
          region: fields.region ?? DEFAULTS.cluster.region.value,
        });
      }
    });
    if (out.length > LIMITS.clusters.max) {
      this.error(
        ['clusters'],
        'limit-exceeded',
        `the fleet has ${out.length} clusters`,
        `use at most ${LIMITS.clusters.max} (${LIMITS.clusters.why})`,
      );
    }
    return out;
  }

  buildCluster(c: Expanded, levelsByCluster: Map<string, Set<string>>): ClusterConfig | null {
    const f = c.fields;
    const at: PathSegment[] = ['clusters', c.entry];
    if (f.nodes === undefined) {
      this.error(
        at,
        'missing-field',
        `cluster "${c.name}" has no nodes`,
        'add "nodes: N" to the cluster (or to clusterDefaults)',
      );
      return null;
    }
    const nodes = f.nodes;
    const podsPerNode = f.podsPerNode ?? DEFAULTS.cluster.podsPerNode.value;
    if (nodes * podsPerNode > LIMITS.podsPerCluster.max) {
      this.error(
        [...at, f.podsPerNode !== undefined ? 'podsPerNode' : 'nodes'],
        'limit-exceeded',
        `cluster "${c.name}" would run ${nodes * podsPerNode} pods`,
        `keep nodes x podsPerNode at most ${LIMITS.podsPerCluster.max} (${LIMITS.podsPerCluster.why})`,
      );
    }
    if (podsPerNode > 110) {
      this.warn(
        [...at, 'podsPerNode'],
        'limit-exceeded',
        `${podsPerNode} pods per node is above kubelet's default --max-pods of 110`,
        'make sure your kubelets run with a higher --max-pods (sig-scalability threshold: min(110, 10 x cores))',
      );
    }
    const version = f.kubernetesVersion ?? DEFAULTS.cluster.kubernetesVersion.value;
    const api = f.apiServer ?? {};
    const cores = api.cpu ?? defaultApiServerCores(nodes);
    const flags = api.flags ?? {};
    const featureGates = this.featureGates(version, api.featureGates ?? {}, [
      ...at,
      'apiServer',
      'featureGates',
    ]);

    const apf = this.apfObjects(
      this.loadManifests(f.flowControl?.manifests ?? [], [...at, 'flowControl', 'manifests']),
      'flowControl',
    );
    const levels = new Set<string>([
      ...BOOTSTRAP_PRIORITY_LEVELS,
      ...apf.priorityLevels.map((p) => p.metadata?.name ?? ''),
    ]);
    levelsByCluster.set(c.name, levels);
    this.checkFlowSchemaTargets(apf.flowSchemas, levels);

    const dns = f.dns ?? {};
    const coreDns = dns.coreDns ?? {};
    const cache = coreDns.cache ?? {};
    const nodeLocal = dns.nodeLocal ?? {};
    const resolver = dns.resolver ?? {};
    const replicas: CoreDnsConfig['replicas'] =
      coreDns.replicas === undefined
        ? { kind: 'fixed', count: DEFAULTS.coreDns.replicas.value }
        : typeof coreDns.replicas === 'number'
          ? { kind: 'fixed', count: coreDns.replicas }
          : {
              kind: 'autoscale',
              nodesPerReplica:
                coreDns.replicas.autoscale.nodesPerReplica ?? DEFAULTS.coreDns.autoscaleNodesPerReplica.value,
              coresPerReplica:
                coreDns.replicas.autoscale.coresPerReplica ?? DEFAULTS.coreDns.autoscaleCoresPerReplica.value,
              min: coreDns.replicas.autoscale.min ?? DEFAULTS.coreDns.autoscaleMin.value,
              ...(coreDns.replicas.autoscale.coresPerNode !== undefined
                ? { coresPerNode: coreDns.replicas.autoscale.coresPerNode }
                : {}),
            };
    const corefile =
      coreDns.corefile === undefined
        ? null
        : this.corefile(coreDns.corefile, [...at, 'dns', 'coreDns', 'corefile']);
    const coreDnsStale =
      cache.serveStale !== undefined ? serveStale(cache.serveStale) : (corefile?.serveStale ?? null);
    const nodeLocalStale = serveStale(nodeLocal.serveStale);
    const services = this.services(f.services ?? [], c, at);
    const dp = f.dataPlane ?? {};
    const dataPlane: DataPlaneConfig = {
      coreDns: {
        replicas,
        recordTtl: coreDns.recordTtl ?? corefile?.recordTtl ?? DEFAULTS.coreDns.recordTtl.value,
        cache: {
          enabled: cache.enabled ?? corefile?.cacheEnabled ?? DEFAULTS.coreDns.cacheEnabled.value,
          successTtl: cache.successTtl ?? corefile?.successTtl ?? DEFAULTS.coreDns.successTtl.value,
          denialTtl: cache.denialTtl ?? corefile?.denialTtl ?? DEFAULTS.coreDns.denialTtl.value,
          capacity: cache.capacity ?? corefile?.capacity ?? DEFAULTS.coreDns.capacity.value,
          prefetch: cache.prefetch ?? corefile?.prefetch ?? DEFAULTS.coreDns.prefetch.value,
          serveStale: coreDnsStale,
          servfailTtl: cache.servfailTtl ?? corefile?.servfailTtl ?? DEFAULTS.coreDns.servfailTtl.value,
        },
        qpsPerReplica: coreDns.qpsPerReplica ?? DEFAULTS.coreDns.qpsPerReplica.value,
        memoryLimitBytes: coreDns.memory ?? DEFAULTS.coreDns.memoryLimit.value,
        ...(coreDns.restartsPerReplicaHour !== undefined
          ? { restartsPerReplicaHour: coreDns.restartsPerReplicaHour }
          : {}),
        ...(coreDns.churnPerPodHour !== undefined ? { churnPerPodHour: coreDns.churnPerPodHour } : {}),
      },
      nodeLocal: {
        enabled: nodeLocal.enabled ?? DEFAULTS.nodeLocal.enabled.value,
        successTtl: nodeLocal.successTtl ?? DEFAULTS.nodeLocal.successTtl.value,
        denialTtl: nodeLocal.denialTtl ?? DEFAULTS.nodeLocal.denialTtl.value,
        serveStale: nodeLocalStale,
      },
      resolver: {
        ndots: resolver.ndots ?? DEFAULTS.resolver.ndots.value,
        timeout: resolver.timeout ?? DEFAULTS.resolver.timeout.value,
        attempts: resolver.attempts ?? DEFAULTS.resolver.attempts.value,
        searchDomains: resolver.searchDomains ?? DEFAULTS.resolver.searchDomains.value,
      },
      services,
      ...(dp.apiInitiatedChurnFraction !== undefined
        ? { apiInitiatedChurnFraction: dp.apiInitiatedChurnFraction }
        : {}),
      ...(dp.requestAttempts !== undefined ? { requestAttempts: dp.requestAttempts } : {}),
      ...(dp.connectionLifetime !== undefined ? { connectionLifetime: dp.connectionLifetime } : {}),
      ...(dp.background !== undefined ? { background: dp.background } : {}),
      ...(dp.clusterServices !== undefined ? { clusterServices: dp.clusterServices } : {}),
    };
    if (
      nodeLocal.serveStale !== undefined &&
      nodeLocalStale !== null &&
      !(nodeLocal.enabled ?? DEFAULTS.nodeLocal.enabled.value)
    ) {
      this.warn(
        [...at, 'dns', 'nodeLocal', 'serveStale'],
        'conflicting-fields',
        'NodeLocal DNSCache serve_stale is set but NodeLocal DNSCache is not enabled',
        'add "enabled: true" under dns.nodeLocal, or remove serveStale',
      );
    }

    return {
      name: c.name,
      region: c.region,
      zones: f.zones ?? DEFAULTS.cluster.zones.value,
      nodes,
      podsPerNode,
      kubernetesVersion: version,
      apiServer: {
        replicas: api.replicas ?? DEFAULTS.apiServer.replicas.value,
        cores,
        memoryBytes: api.memory ?? Math.round(cores * DEFAULTS.apiServer.memoryPerCore.value),
        maxRequestsInflight: flags['max-requests-inflight'] ?? DEFAULTS.apiServer.maxRequestsInflight.value,
        maxMutatingRequestsInflight:
          flags['max-mutating-requests-inflight'] ?? DEFAULTS.apiServer.maxMutatingRequestsInflight.value,
        requestTimeout: flags['request-timeout'] ?? DEFAULTS.apiServer.requestTimeout.value,
        enablePriorityAndFairness:
          flags['enable-priority-and-fairness'] ?? DEFAULTS.apiServer.enablePriorityAndFairness.value,
        restartDelay: api.restartDelay ?? DEFAULTS.apiServer.restartDelay.value,
        featureGates,
      },
      etcd: {
        members: f.etcd?.members ?? DEFAULTS.etcd.members.value,
        cores: f.etcd?.cpu ?? DEFAULTS.etcd.cpu.value,
        writeLatencyFloor: f.etcd?.writeLatency ?? DEFAULTS.etcd.writeLatency.value,
      },
      flowSchemas: apf.flowSchemas.map((f) => f.fs),
      priorityLevels: apf.priorityLevels,
      dataPlane,
      trafficWeight: f.trafficWeight ?? DEFAULTS.cluster.trafficWeight.value,
      labels: c.labels,
      fidelity: f.fidelity ?? DEFAULTS.cluster.fidelity.value,
      nodeStartup: {
        provisioningSeconds: f.nodeStartup?.provisioning ?? DEFAULTS.nodeStartup.provisioning.value,
        imageBytes: f.nodeStartup?.imageBytes ?? DEFAULTS.nodeStartup.imageBytes.value,
        nodeBytesPerSecond: f.nodeStartup?.nodeBandwidth ?? DEFAULTS.nodeStartup.nodeBandwidth.value,
      },
    };
  }

  /**
   * Feature gates by version (k8s-mechanics.md: ConsistentListFromCache beta-on 1.31, GA 1.34;
   * ResilientWatchCacheInitialization beta-on 1.31; WatchList beta-on 1.32, off 1.33, on 1.34;
   * SizeBasedListCostEstimate beta-on 1.34), then the scenario's overrides.
   */
  featureGates(
    version: string,
    overrides: Partial<Record<string, boolean>>,
    at: readonly PathSegment[],
  ): Record<string, boolean> {
    const minor = Number(version.split('.')[1]);
    const table: Record<
      (typeof FEATURE_GATES)[number],
      { since: number; on: (m: number) => boolean; lockedFrom?: number }
    > = {
      ConsistentListFromCache: { since: 28, on: (m) => m >= 31, lockedFrom: 34 },
      ResilientWatchCacheInitialization: { since: 31, on: () => true },
      WatchList: { since: 27, on: (m) => m === 32 || m >= 34 },
      SizeBasedListCostEstimate: { since: 34, on: () => true },
    };
    const gates: Record<string, boolean> = {};
    for (const gate of FEATURE_GATES) {
      const row = table[gate];
      const available = minor >= row.since;
      gates[gate] = available && row.on(minor);
      const override = overrides[gate];
      if (override === undefined) continue;
      if (!available) {
        this.error(
          [...at, gate],
          'feature-gate-unavailable',
          `${gate} does not exist in Kubernetes ${version}`,
          `it appears in 1.${row.since}; remove it or raise kubernetesVersion`,
        );
        continue;
      }
      if (row.lockedFrom !== undefined && minor >= row.lockedFrom && override !== true) {
        this.error(
          [...at, gate],
          'feature-gate-unavailable',
          `${gate} is GA and locked on in Kubernetes ${version}`,
          'remove the override',
        );
        continue;
      }
      gates[gate] = override;
    }
    return gates;
  }

  services(list: readonly ParsedService[], c: Expanded, at: readonly PathSegment[]): ServiceConfig[] {
    const names = new Set<string>();
    const out: ServiceConfig[] = [];
    list.forEach((s, i) => {
      if (names.has(s.name)) {
        this.error(
          [...at, 'services', i, 'name'],
          'duplicate-name',
          `service "${s.name}" is defined twice in cluster "${c.name}"`,
          'give every service a unique name',
        );
      }
      names.add(s.name);
      out.push({
        name: s.name,
        replicas: s.replicas ?? DEFAULTS.service.replicas.value,
        userRps: s.userRps ?? DEFAULTS.service.userRps.value,
        dependsOn: s.dependsOn ?? [],
        dnsCache: s.dnsCache ?? DEFAULTS.service.dnsCache.value,
        churnPerPodHour: s.churnPerPodHour ?? DEFAULTS.service.churnPerPodHour.value,
        ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
        ...(s.headless !== undefined ? { headless: s.headless } : {}),
        ...(s.restartsPerPodHour !== undefined ? { restartsPerPodHour: s.restartsPerPodHour } : {}),
      });
    });
    list.forEach((s, i) => {
      (s.dependsOn ?? []).forEach((dep, j) => {
        if (!names.has(dep)) {
          const suggestion = didYouMean(dep, names);
          this.error(
            [...at, 'services', i, 'dependsOn', j],
            'unknown-reference',
            `service "${s.name}" depends on "${dep}", which is not a service of cluster "${c.name}"`,
            suggestion
              ? `did you mean "${suggestion}"?`
              : `define a service named "${dep}" or remove the dependency`,
          );
        }
      });
    });
    // A request that recurses through its own dependencies never completes.
    const graph = new Map(list.map((s) => [s.name, s.dependsOn ?? []]));
    const cycle = findCycle(graph);
    if (cycle) {
      const i = list.findIndex((s) => s.name === cycle[0]);
      this.error(
        [...at, 'services', i, 'dependsOn'],
        'service-dependency-cycle',
        `services depend on each other in a cycle: ${cycle.join(' -> ')}`,
        'break the cycle: a request would call itself forever',
      );
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Selectors

  select(sel: ParsedSelector | undefined, fleet: readonly Expanded[], at: readonly PathSegment[]): string[] {
    if (sel === undefined || sel === 'all') return fleet.map((c) => c.name);
    const byName = (patterns: readonly string[], where: readonly PathSegment[]): Set<string> => {
      const picked = new Set<string>();
      patterns.forEach((p, i) => {
        if (p.includes('*')) {
          const re = new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`);
          const matched = fleet.filter((c) => re.test(c.name));
          if (matched.length === 0)
            this.warn([...where, i], 'bad-selector', `"${p}" matches no cluster`, 'check the pattern');
          for (const c of matched) picked.add(c.name);
        } else if (fleet.some((c) => c.name === p)) {
          picked.add(p);
        } else {
          const suggestion = didYouMean(
            p,
            fleet.map((c) => c.name),
          );
          this.error(
            [...where, i],
            'unknown-reference',
            `there is no cluster named "${p}"`,
            suggestion
              ? `did you mean "${suggestion}"?`
              : 'use the name of a cluster in clusters (after {index} expansion)',
          );
        }
      });
      return picked;
    };
    if (Array.isArray(sel)) {
      const picked = byName(sel, at);
      return fleet.filter((c) => picked.has(c.name)).map((c) => c.name);
    }
    const obj = sel as Exclude<ParsedSelector, 'all' | readonly string[]>;
    const names = obj.names ? byName(obj.names, [...at, 'names']) : null;
    const regions = obj.regions ? new Set(obj.regions) : null;
    const picked = fleet
      .filter((c) => names === null || names.has(c.name))
      .filter((c) => regions === null || regions.has(c.region))
      .filter((c) => Object.entries(obj.matchLabels ?? {}).every(([k, v]) => c.labels[k] === v))
      .map((c) => c.name);
    if (picked.length === 0)
      this.warn(at, 'bad-selector', 'this selector matches no cluster', 'check names, labels and regions');
    return picked;
  }

  // -------------------------------------------------------------------------------------------
  // Workloads

  workloads(doc: ParsedScenario, fleet: readonly Expanded[], rolledOut: string | null): WorkloadConfig[] {
    const out: WorkloadConfig[] = [];
    const names = new Map<string, number>();
    (doc.workloads ?? []).forEach((w, i) => {
      const at: PathSegment[] = ['workloads', i];
      const resolved = this.workload(w, at, fleet, rolledOut);
      if (!resolved) return;
      const prev = names.get(resolved.name);
      if (prev !== undefined) {
        this.error(
          [...at, 'name'],
          'duplicate-name',
          `workload "${resolved.name}" is defined twice (first in workloads[${prev}])`,
          'give every workload a unique name',
        );
        return;
      }
      names.set(resolved.name, i);
      out.push(resolved);
    });
    return out;
  }

  private workload(
    w: ParsedWorkload,
    at: PathSegment[],
    fleet: readonly Expanded[],
    rolledOut: string | null,
  ): WorkloadConfig | null {
    let fromManifest: ManifestWorkload | null = null;
    let objects: KubeObject[] = [];
    if (w.manifests) {
      for (const field of ['kind', 'namespace', 'serviceAccount', 'replicas', 'maxUnavailable'] as const) {
        if (w[field] !== undefined) {
          this.error(
            [...at, field],
            'conflicting-fields',
            `${field} is taken from the manifests, so it cannot also be set here`,
            `remove ${field}, or change it in the manifest`,
          );
        }
      }
      const errorsBefore = this.issues.filter((i) => i.severity === 'error').length;
      objects = this.loadManifests(w.manifests, [...at, 'manifests']);
      const hasManifestErrors = this.issues.filter((i) => i.severity === 'error').length > errorsBefore;
      const candidates = objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
      for (const o of objects) {
        if (o.kind === 'FlowSchema' || o.kind === 'PriorityLevelConfiguration') {
          this.issues.push(
            objectIssue(
              o,
              this.ctx.index,
              ['kind'],
              'manifest-misplaced',
              `${this.ctx.prefix}${o.kind} "${o.name}" is in a workload's manifests, but flow control is cluster configuration`,
              'move it to a file referenced from clusters[].flowControl.manifests (or clusterDefaults.flowControl.manifests)',
            ),
          );
        }
      }
      const picked = w.name ? candidates.filter((o) => o.name === w.name) : candidates;
      if (picked.length === 0) {
        if (!hasManifestErrors) {
          const names = candidates.map((o) => o.name);
          const suggestion = w.name ? didYouMean(w.name, names) : null;
          this.error(
            [...at, w.name ? 'name' : 'manifests'],
            'manifest-no-workload',
            w.name
              ? `the manifests have no DaemonSet or Deployment named "${w.name}"`
              : 'the manifests contain no DaemonSet or Deployment',
            suggestion
              ? `did you mean "${suggestion}"?`
              : names.length > 0
                ? `they define: ${names.join(', ')}`
                : 'add the DaemonSet or Deployment to the manifests',
          );
        }
        return null;
      }
      if (picked.length > 1) {
        this.error(
          [...at, 'manifests'],
          'manifest-ambiguous-workload',
          `the manifests define ${picked.length} workloads (${picked.map((o) => `${o.kind}/${o.name}`).join(', ')})`,
          'add "name:" to say which one this entry describes (one workloads[] entry per DaemonSet/Deployment)',
        );
        return null;
      }
      const chosen = picked[0];
      if (!chosen) return null;
      fromManifest = toWorkload(chosen, this.ctx.index, this.issues);
      if (!fromManifest) return null;
    } else {
      if (w.kind === undefined) {
        this.error(
          at,
          'missing-field',
          'a workload needs either manifests or an inline kind',
          'add "manifests: ./path.yaml", or "kind: DaemonSet" (or Deployment)',
        );
        return null;
      }
      if (w.name === undefined) {
        this.error(at, 'missing-field', 'an inline workload needs a name', 'add "name:"');
        return null;
      }
      if (w.kind === 'DaemonSet' && w.replicas !== undefined) {
        this.error(
          [...at, 'replicas'],
          'conflicting-fields',
          'a DaemonSet runs one pod per node; replicas does not apply',
          'remove replicas',
        );
      }
    }
    const kind = fromManifest?.kind ?? w.kind ?? 'DaemonSet';
    const name = fromManifest?.name ?? w.name ?? '';
    const namespace = fromManifest?.namespace ?? w.namespace ?? DEFAULTS.workload.namespace.value;
    const serviceAccount =
      fromManifest?.serviceAccount ?? w.serviceAccount ?? DEFAULTS.workload.serviceAccount.value;
    const replicas =
      kind === 'DaemonSet'
        ? 0
        : (fromManifest?.replicas ?? w.replicas ?? DEFAULTS.workload.deploymentReplicas.value);
    const mu =
      fromManifest?.maxUnavailable ??
      parseIntOrPercent(w.maxUnavailable) ??
      DEFAULTS.workload.daemonSetMaxUnavailable.value;

    const profiles: AccessProfile[] = [];
    const profileNames = new Set<string>();
    (w.accessProfiles ?? []).forEach((p, j) => {
      const pat: PathSegment[] = [...at, 'accessProfiles', j];
      if (profileNames.has(p.name)) {
        this.error(
          [...pat, 'name'],
          'duplicate-name',
          `access profile "${p.name}" appears twice in workload "${name}"`,
          'give each profile a unique name',
        );
      }
      profileNames.add(p.name);
      const profile = this.accessProfile(p, pat);
      if (profile) profiles.push(profile);
    });
    if ((w.accessProfiles ?? []).length === 0) {
      this.warn(
        at,
        'missing-field',
        `workload "${name}" has no accessProfiles, so it puts no load on the API server`,
        'add accessProfiles describing what each pod calls',
      );
    }
    const rules =
      objects.length > 0 ? rulesFor(objects, serviceAccount, namespace, this.ctx.index, this.issues) : null;
    if (rules !== null) {
      profiles.forEach((p, j) => {
        if (!isAllowed(rules, p.verb, p.apiGroup, p.resource)) {
          this.warn(
            [...at, 'accessProfiles', j, 'verb'],
            'rbac-forbids-access',
            `the manifests' RBAC does not allow ServiceAccount ${namespace}/${serviceAccount} to ${p.verb} ${p.resource}; the API server would answer 403`,
            `add ${p.verb} on ${p.resource} to the bound (Cluster)Role, or fix the access profile`,
          );
        }
      });
    }
    if (rolledOut === name && w.startAt !== undefined) {
      this.error(
        [...at, 'startAt'],
        'rollout-conflict',
        `workload "${name}" is deployed by the rollout, so it has no startAt`,
        'remove startAt (use rollout.startAt)',
      );
    }
    return {
      name,
      kind,
      replicas,
      identity: { serviceAccount, namespace },
      accessProfiles: profiles,
      startAt: rolledOut === name ? null : (w.startAt ?? 0),
      rollout: {
        maxUnavailable: typeof mu === 'number' ? mu : 1,
        podStartSeconds: w.podStartTime ?? DEFAULTS.workload.podStartTime.value,
        ...(typeof mu === 'number' ? {} : { maxUnavailablePercent: mu.percent }),
      },
      restartOnApiFailure: w.restartOnApiFailure ?? DEFAULTS.workload.restartOnApiFailure.value,
      clusters: this.select(w.clusters, fleet, [...at, 'clusters']),
    };
  }

  private accessProfile(p: ParsedAccessProfile, at: readonly PathSegment[]): AccessProfile | null {
    const D = DEFAULTS.accessProfile;
    const isList = p.verb === 'list' || p.verb === 'watch';
    const scope = p.scope ?? (isList ? 'cluster' : p.verb === 'create' ? 'namespace' : 'resource');
    const rvWritten =
      p.resourceVersion ?? (p.mode === 'watch' ? D.watchResourceVersion.value : D.pollResourceVersion.value);
    const rv = rvWritten === '' ? 'consistent' : rvWritten === '0' ? 'any' : rvWritten;
    const fieldSelector = p.fieldSelector ?? '';
    const labelSelector = p.labelSelector ?? '';
    for (const [field, sel] of [
      ['fieldSelector', fieldSelector],
      ['labelSelector', labelSelector],
    ] as const) {
      if (
        sel !== '' &&
        !/^\s*[^,=!\s]+\s*(==|=|!=)\s*[^,]*(\s*,\s*[^,=!\s]+\s*(==|=|!=)\s*[^,]*)*\s*$/.test(sel) &&
        field === 'fieldSelector'
      ) {
        this.error(
          [...at, field],
          'bad-selector',
          `"${sel}" is not a field selector`,
          'write key=value pairs separated by commas, e.g. spec.nodeName=$(NODE_NAME)',
        );
        return null;
      }
    }
    let returns: AccessProfile['returns'];
    if (p.returns === undefined) {
      if (!isList) returns = { kind: 'fixed', objects: 1 };
      else if (/(^|,)\s*spec\.nodeName\s*==?/.test(fieldSelector) && p.resource === 'pods')
        returns = { kind: 'per-node' };
      else returns = { kind: 'all' };
    } else if (typeof p.returns === 'number') returns = { kind: 'fixed', objects: p.returns };
    else returns = { kind: p.returns };
    if (p.mode === 'poll' && p.period === undefined) {
      this.error(
        at,
        'missing-field',
        `access profile "${p.name}" polls but has no period`,
        'add "period:" (e.g. 1m)',
      );
      return null;
    }
    if (p.mode === 'watch' && !isList) {
      this.error(
        [...at, 'mode'],
        'conflicting-fields',
        `mode watch is an informer (list then watch), but the verb is ${p.verb}`,
        'use verb list (or watch) with mode watch, or mode poll',
      );
      return null;
    }
    if (p.mode === 'watch' && p.period !== undefined) {
      this.warn(
        [...at, 'period'],
        'conflicting-fields',
        'period is ignored for mode watch (an informer lists once, then watches)',
        'remove period, or use mode poll',
      );
    }
    return {
      name: p.name,
      verb: p.verb,
      resource: p.resource,
      apiGroup: p.apiGroup ?? D.apiGroup.value,
      scope,
      rv,
      labelSelector: labelSelector !== '',
      fieldSelector: fieldSelector !== '',
      returns,
      limit: p.limit ?? (p.mode === 'watch' ? D.watchLimit.value : D.pollLimit.value),
      mode: p.mode,
      period: p.mode === 'poll' ? (p.period ?? 0) : 0,
      jitter: p.jitter ?? D.jitter.value,
      client: {
        qps: p.client?.qps ?? D.qps.value,
        burst: p.client?.burst ?? D.burst.value,
        timeout: p.client?.timeout ?? D.timeout.value,
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Rollout

  rollout(
    r: ParsedRollout | undefined,
    seed: number,
    fleet: readonly Expanded[],
    workloads: readonly WorkloadConfig[],
  ): ResolvedRollout | null {
    if (!r) return null;
    const at: PathSegment[] = ['rollout'];
    const workload = workloads.find((w) => w.name === r.workload);
    if (!workload) {
      const suggestion = didYouMean(
        r.workload,
        workloads.map((w) => w.name),
      );
      this.error(
        [...at, 'workload'],
        'unknown-reference',
        `the rollout deploys workload "${r.workload}", which is not defined`,
        suggestion ? `did you mean "${suggestion}"?` : 'name a workload from workloads[]',
      );
      return null;
    }
    const allowed = new Set(workload.clusters ?? fleet.map((c) => c.name));
    let targets =
      r.clusters === undefined ? [...allowed] : this.select(r.clusters, fleet, [...at, 'clusters']);
    const outside = targets.filter((t) => !allowed.has(t));
    if (outside.length > 0) {
      this.error(
        [...at, 'clusters'],
        'rollout-conflict',
        `the rollout targets clusters the workload is not in: ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? '…' : ''}`,
        "widen the workload's clusters, or narrow the rollout's",
      );
      targets = targets.filter((t) => allowed.has(t));
    }
    const targetSet = new Set(targets);
    const strategy = this.strategy(
      r.strategy,
      [...at, 'strategy'],
      fleet.filter((c) => targetSet.has(c.name)),
    );
    if (!strategy) return null;
    const gate = r.gate ? this.gate(r.gate, [...at, 'gate']) : null;
    const D = DEFAULTS.rollout;
    const config: ResolvedRollout = {
      name: r.name ?? r.workload,
      workload: r.workload,
      clusters: targets,
      startAt: r.startAt ?? D.startAt.value,
      strategy,
      bakeSeconds: r.bake ?? D.bake.value,
      gate,
      autoRollback: r.autoRollback ?? false,
      rollbackScope: r.rollbackScope ?? 'all-deployed',
      rollbackRetry: {
        maxAttempts: r.rollbackRetry?.maxAttempts ?? D.retryMaxAttempts.value,
        initialBackoff: r.rollbackRetry?.initialBackoff ?? D.retryInitialBackoff.value,
        factor: r.rollbackRetry?.factor ?? D.retryFactor.value,
        maxBackoff: r.rollbackRetry?.maxBackoff ?? D.retryMaxBackoff.value,
        jitter: r.rollbackRetry?.jitter ?? 0,
      },
    };
    if (r.autoRollback && !gate) {
      this.warn(
        [...at, 'autoRollback'],
        'conflicting-fields',
        'autoRollback happens on a failed gate, but the rollout has no gate',
        'add a gate with checks, or remove autoRollback',
      );
    }
    // The model's planner is pure: run it now so a strategy that cannot apply fails here, with a path.
    if (this.issues.every((i) => i.severity !== 'error')) {
      const planTargets = fleet
        .filter((c) => targetSet.has(c.name))
        .map((c) => ({ name: c.name, labels: c.labels, nodes: c.fields.nodes ?? 0 }));
      try {
        const waves = planRollout(
          planTargets,
          strategy,
          config.bakeSeconds,
          createRandomStream(seed, 'rollout-plan'),
        );
        const planned = new Set(waves.flatMap((w) => w.clusters));
        const unreached = targets.filter((t) => !planned.has(t));
        if (unreached.length > 0) {
          this.warn(
            [...at, 'strategy'],
            'unreached-clusters',
            `${unreached.length} target cluster(s) are in no wave: ${unreached.slice(0, 5).join(', ')}${unreached.length > 5 ? '…' : ''}`,
            'add a wave for them (rest: true), or narrow rollout.clusters',
          );
        }
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.error(
          [...at, 'strategy'],
          'invalid-value',
          e.message.replace(/^rollout: /, ''),
          'change the strategy so it can apply to the target clusters',
        );
      }
    }
    return config;
  }

  private strategy(
    s: ParsedStrategy,
    at: readonly PathSegment[],
    targets: readonly Expanded[],
  ): RolloutStrategy | null {
    switch (s.kind) {
      case 'all-at-once':
        return allAtOnce(s);
      case 'waves':
        return this.waves(s, at, targets);
      case 'canary': {
        let canary: { kind: 'named'; cluster: string } | { kind: 'largest' };
        if (s.canary === 'largest') canary = { kind: 'largest' };
        else if (targets.some((t) => t.name === s.canary)) canary = { kind: 'named', cluster: s.canary };
        else {
          const suggestion = didYouMean(
            s.canary,
            targets.map((t) => t.name),
          );
          this.error(
            [...at, 'canary'],
            'unknown-reference',
            `the canary "${s.canary}" is not one of the rollout's clusters`,
            suggestion ? `did you mean "${suggestion}"?` : 'name a target cluster, or write "largest"',
          );
          return null;
        }
        const rest =
          s.afterCanary.kind === 'all-at-once'
            ? allAtOnce(s.afterCanary)
            : this.waves(s.afterCanary, [...at, 'afterCanary'], targets);
        if (!rest) return null;
        return {
          kind: 'canary',
          canary,
          ...(s.bake !== undefined ? { bakeSeconds: s.bake } : {}),
          afterCanary: rest,
        };
      }
    }
  }

  private waves(
    s: Extract<ParsedStrategy, { kind: 'waves' }>,
    at: readonly PathSegment[],
    targets: readonly Expanded[],
  ): WavesStrategy | null {
    const waves: WaveConfig[] = [];
    let ok = true;
    s.waves.forEach((w: ParsedWave, i) => {
      const wat = [...at, 'waves', i];
      const given = (['names', 'matchLabels', 'percent', 'count', 'rest'] as const).filter(
        (k) => w[k] !== undefined,
      );
      if (given.length !== 1) {
        this.error(
          wat,
          given.length === 0 ? 'missing-field' : 'conflicting-fields',
          given.length === 0
            ? 'a wave needs a selector'
            : `a wave takes one selector, this one has ${given.join(' and ')}`,
          'use exactly one of names, matchLabels, percent, count or rest: true',
        );
        ok = false;
        return;
      }
      let select: WaveConfig['select'];
      if (w.names) {
        const picked = this.select(w.names, targets, [...wat, 'names']);
        select = { kind: 'names', names: picked };
      } else if (w.matchLabels) select = { kind: 'labels', labels: w.matchLabels };
      else if (w.percent !== undefined) select = { kind: 'percent', percent: w.percent * 100 };
      else if (w.count !== undefined) select = { kind: 'count', count: w.count };
      else select = { kind: 'rest' };
      waves.push({
        ...(w.name !== undefined ? { name: w.name } : {}),
        select,
        ...(w.spread !== undefined ? { spreadSeconds: w.spread } : {}),
        ...(w.bake !== undefined ? { bakeSeconds: w.bake } : {}),
      });
    });
    if (!ok) return null;
    return {
      kind: 'waves',
      waves,
      order: s.order ?? 'listed',
      ...(s.remainder !== undefined ? { remainder: s.remainder } : {}),
    };
  }

  private gate(g: ParsedGate, at: readonly PathSegment[]): GateConfig {
    const checks: GateCheck[] = [];
    g.checks.forEach((c, i) => {
      if (c.max === undefined && c.min === undefined) {
        this.error(
          [...at, 'checks', i],
          'missing-field',
          `the ${c.signal} check has no bound`,
          'add "max:" (fails above) or "min:" (fails below)',
        );
        return;
      }
      checks.push({
        signal: c.signal,
        ...(c.max !== undefined ? { max: c.max } : {}),
        ...(c.min !== undefined ? { min: c.min } : {}),
      });
    });
    return {
      checks,
      interval: g.interval ?? DEFAULTS.rollout.gateInterval.value,
      failureLimit: g.failureLimit ?? DEFAULTS.rollout.gateFailureLimit.value,
      scope: g.scope ?? 'wave',
    };
  }

  // -------------------------------------------------------------------------------------------
  // Response

  response(
    doc: ParsedScenario,
    fleet: readonly Expanded[],
    workloads: readonly WorkloadConfig[],
    levelsByCluster: ReadonlyMap<string, ReadonlySet<string>>,
  ): ResponseConfig | null {
    const r = doc.response;
    if (!r) return null;
    const names = new Map<string, number>();
    r.actions.forEach((a, i) => {
      if (names.has(a.name))
        this.error(
          ['response', 'actions', i, 'name'],
          'duplicate-name',
          `action "${a.name}" is defined twice`,
          'give every action a unique name',
        );
      else names.set(a.name, i);
    });
    const actions: ResponseAction[] = [];
    r.actions.forEach((a, i) => {
      const resolved = this.action(a, ['response', 'actions', i], names, fleet, workloads, levelsByCluster);
      if (resolved) actions.push(resolved);
    });
    const graph = new Map(
      r.actions.map((a) => [a.name, typeof a.after === 'object' ? [a.after.action] : []]),
    );
    const cycle = findCycle(graph);
    if (cycle) {
      this.error(
        ['response', 'actions', names.get(cycle[0] ?? '') ?? 0, 'after'],
        'unknown-reference',
        `actions wait for each other in a cycle: ${cycle.join(' -> ')}`,
        'none of them would ever start: break the cycle',
      );
    }
    return { operators: r.operators ?? DEFAULTS.response.operators.value, actions };
  }

  private action(
    a: ParsedAction,
    at: readonly PathSegment[],
    names: ReadonlyMap<string, number>,
    fleet: readonly Expanded[],
    workloads: readonly WorkloadConfig[],
    levelsByCluster: ReadonlyMap<string, ReadonlySet<string>>,
  ): ResponseAction | null {
    let trigger: ResponseTrigger;
    if (typeof a.after === 'string') trigger = { after: a.after };
    else {
      if (!names.has(a.after.action) || a.after.action === a.name) {
        const suggestion = didYouMean(
          a.after.action,
          [...names.keys()].filter((n) => n !== a.name),
        );
        this.error(
          [...at, 'after', 'action'],
          'unknown-reference',
          a.after.action === a.name
            ? 'an action cannot wait for itself'
            : `there is no action named "${a.after.action}"`,
          suggestion ? `did you mean "${suggestion}"?` : 'name another action of this playbook',
        );
      }
      trigger = { after: 'action', action: a.after.action };
    }
    const workloadRef = (name: string): void => {
      if (!workloads.some((w) => w.name === name)) {
        const suggestion = didYouMean(
          name,
          workloads.map((w) => w.name),
        );
        this.error(
          [...at, 'workload'],
          'unknown-reference',
          `there is no workload named "${name}"`,
          suggestion ? `did you mean "${suggestion}"?` : 'name a workload from workloads[]',
        );
      }
    };
    let clusters: ResponseAction['clusters'] =
      a.clusters === undefined ? 'affected' : typeof a.clusters === 'string' ? a.clusters : a.clusters;
    if (Array.isArray(clusters)) clusters = this.select(clusters, fleet, [...at, 'clusters']);
    let spec: ResponseActionSpec;
    switch (a.action) {
      case 'kubectl-rollback':
        workloadRef(a.workload);
        spec = { kind: 'kubectl-rollback', workload: a.workload };
        break;
      case 'scale-nodes':
        spec = { kind: 'scale-nodes', fraction: a.to };
        break;
      case 'restore-nodes':
        spec = { kind: 'restore-nodes' };
        break;
      case 'block-client-class':
        spec = { kind: 'block-client-class', clientClass: a.clientClass, blocked: a.blocked ?? true };
        break;
      case 'scale-apiservers':
        spec = {
          kind: 'scale-apiservers',
          replicas: a.replicas,
          provisioningDelay: a.provisioningDelay ?? DEFAULTS.response.provisioningDelay.value,
        };
        break;
      case 'apply-apf': {
        const apf = this.apfObjects(this.loadManifests(a.manifests, [...at, 'manifests']), 'apply-apf');
        const own = apf.priorityLevels.map((p) => p.metadata?.name ?? '');
        // Levels that exist in every cluster the action may touch, plus its own.
        const shared = new Set<string>(BOOTSTRAP_PRIORITY_LEVELS);
        const clusterSets = [...levelsByCluster.values()];
        for (const name of clusterSets[0] ?? []) if (clusterSets.every((s) => s.has(name))) shared.add(name);
        for (const n of own) shared.add(n);
        this.checkFlowSchemaTargets(apf.flowSchemas, shared);
        spec = {
          kind: 'apply-apf',
          flowSchemas: apf.flowSchemas.map((f) => f.fs),
          priorityLevels: apf.priorityLevels,
        };
        break;
      }
      case 'kill-switch':
        workloadRef(a.workload);
        spec = {
          kind: 'kill-switch',
          workload: a.workload,
          nodesPerSecond:
            (a.parallelism ?? DEFAULTS.response.killSwitchParallelism.value) /
            (a.timePerNode ?? DEFAULTS.response.killSwitchTimePerNode.value),
        };
        break;
      case 'shift-traffic':
        spec = { kind: 'shift-traffic', away: a.away ?? true };
        break;
    }
    return {
      id: a.name,
      trigger,
      decisionDelay: a.decisionDelay ?? 0,
      duration: a.duration ?? 0,
      clusters,
      requiresApi: a.requiresApi ?? false,
      retryEvery: a.retryEvery ?? DEFAULTS.response.retryEvery.value,
      maxAttempts: a.maxAttempts ?? 1,
      manual: a.manual ?? true,
      spec,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Alerts and faults

  alerts(a: ParsedAlerts | undefined): ResolvedAlerts {
    const rules: AlertRule[] = a?.defaultRules === false ? [] : [...defaultAlertRules];
    (a?.rules ?? []).forEach((r, i) => {
      const at: PathSegment[] = ['alerts', 'rules', i];
      const parsed = parsePromql(r.expr);
      if (!parsed.ok) {
        this.error(
          [...at, 'expr'],
          'bad-expression',
          `expr: ${parsed.message} (at character ${parsed.offset + 1})`,
          'see docs/scenario.md for the PromQL subset stormglass evaluates',
        );
        return;
      }
      const labelSeverity = r.labels?.severity;
      let severity: AlertSeverity = DEFAULTS.alerts.severity.value;
      if (r.severity !== undefined) severity = r.severity;
      else if (labelSeverity !== undefined) {
        if (labelSeverity === 'critical' || labelSeverity === 'warning' || labelSeverity === 'info')
          severity = labelSeverity;
        else
          this.error(
            [...at, 'labels', 'severity'],
            'invalid-value',
            `severity "${labelSeverity}" is not known`,
            'use critical, warning or info',
          );
      }
      const { severity: _s, ...labels } = r.labels ?? {};
      const summary = r.annotations?.summary;
      rules.push({
        name: r.alert,
        severity,
        for: r.for ?? DEFAULTS.alerts.for.value,
        expr: parsed.expr,
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
        ...(summary !== undefined ? { summary } : {}),
        source: `scenario rule alerts.rules[${i}]`,
      });
    });
    return { evaluationInterval: a?.evaluationInterval ?? DEFAULTS.alerts.evaluationInterval.value, rules };
  }

  faults(doc: ParsedScenario, fleet: readonly Expanded[]): Fault[] {
    const out: Fault[] = [];
    (doc.faults ?? []).forEach((f, i) => {
      const at: PathSegment[] = ['faults', i];
      if (f.at >= doc.duration) {
        this.warn(
          [...at, 'at'],
          'out-of-range',
          'this fault starts after the scenario ends, so it never happens',
          'move it earlier or lengthen duration',
        );
      }
      for (const cluster of this.select(f.clusters, fleet, [...at, 'clusters'])) {
        if (f.kind === 'apiserver-unreachable')
          out.push({ kind: f.kind, cluster, at: f.at, duration: f.duration });
        else out.push({ kind: f.kind, cluster, at: f.at });
      }
    });
    return out;
  }
}

function allAtOnce(s: {
  window?: number | undefined;
  order?: AllAtOnceStrategy['order'] | undefined;
  spacing?: 'even' | 'random' | undefined;
}): AllAtOnceStrategy {
  return {
    kind: 'all-at-once',
    window: s.window ?? DEFAULTS.rollout.window.value,
    order: s.order ?? 'listed',
    spacing: s.spacing ?? 'even',
  };
}

function serveStale(
  v: ParsedServeStale | undefined,
): { duration: number; mode: 'immediate' | 'verify' } | null {
  if (v === undefined || v === false) return null;
  const D = DEFAULTS.coreDns;
  if (v === true) return { duration: D.serveStaleDuration.value, mode: D.serveStaleMode.value };
  if (typeof v === 'number') return { duration: v, mode: D.serveStaleMode.value };
  return { duration: v.duration ?? D.serveStaleDuration.value, mode: v.mode ?? D.serveStaleMode.value };
}

function parseIntOrPercent(v: number | string | undefined): number | { percent: number } | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  return { percent: Number(v.slice(0, -1)) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Objects merge recursively; arrays and scalars from `over` replace. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (
    base === null ||
    over === null ||
    typeof base !== 'object' ||
    typeof over !== 'object' ||
    Array.isArray(base) ||
    Array.isArray(over)
  ) {
    return over;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = deepMerge(out[k], v);
  }
  return out;
}

/** A cycle in a name -> dependencies graph, as the names along it (first repeated at the end). */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      const s = state.get(m);
      if (s === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (s === undefined) {
        const found = visit(m);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (state.has(n)) continue;
    const found = visit(n);
    if (found) return found;
  }
  return null;
}

/** Defaults and cross-field rules over a schema-valid document. */
export function resolveScenario(
  doc: ParsedScenario,
  ctx: ResolveContext,
): { scenario: ResolvedScenario | null; issues: Issue[] } {
  const r = new Resolver(ctx);
  const fleet = r.expandClusters(doc);
  const fleetNodes = fleet.reduce((sum, c) => sum + (c.fields.nodes ?? 0), 0);
  if (fleetNodes > LIMITS.fleetNodes.max) {
    r.error(
      ['clusters'],
      'limit-exceeded',
      `the fleet has ${fleetNodes} nodes`,
      `use at most ${LIMITS.fleetNodes.max} (${LIMITS.fleetNodes.why})`,
    );
  }
  const levelsByCluster = new Map<string, Set<string>>();
  const clusters: ClusterConfig[] = [];
  // Clusters expanded from one entry share their configuration: build it once, rename per cluster.
  const built = new Map<number, ClusterConfig | null>();
  for (const c of fleet) {
    let config = built.get(c.entry);
    if (config === undefined) {
      config = r.buildCluster(c, levelsByCluster);
      built.set(c.entry, config);
    } else {
      const first = fleet.find((f) => f.entry === c.entry);
      const levels = first ? levelsByCluster.get(first.name) : undefined;
      if (levels) levelsByCluster.set(c.name, levels);
    }
    if (config) clusters.push({ ...config, name: c.name });
  }
  const rolledOut = doc.rollout?.workload ?? null;
  const workloads = r.workloads(doc, fleet, rolledOut);
  const seed = doc.seed ?? DEFAULTS.seed.value;
  const rollout = r.rollout(doc.rollout, seed, fleet, workloads);
  const response = r.response(doc, fleet, workloads, levelsByCluster);
  const alerts = r.alerts(doc.alerts);
  const faults = r.faults(doc, fleet);
  const resolution = doc.resolution ?? DEFAULTS.resolution.value;
  if (resolution > doc.duration) {
    r.error(
      ['resolution'],
      'out-of-range',
      'the resolution is longer than the scenario',
      'use a resolution shorter than duration',
    );
  }
  for (const w of workloads) {
    if (w.startAt !== null && w.startAt >= doc.duration) {
      const i = (doc.workloads ?? []).findIndex((x) => (x.name ?? '') === w.name);
      r.warn(
        ['workloads', Math.max(0, i), 'startAt'],
        'out-of-range',
        `workload "${w.name}" starts after the scenario ends`,
        'move startAt earlier or lengthen duration',
      );
    }
  }
  const variants: ResolvedScenario['variants'] = {};
  for (const [name, v] of Object.entries(doc.variants ?? {})) {
    Object.defineProperty(variants, name, {
      value: { name, description: v.description ?? '', patch: v.patch },
      enumerable: true,
    });
  }
  const hasError = r.issues.some((i) => i.severity === 'error');
  if (hasError) return { scenario: null, issues: r.issues };
  return {
    scenario: {
      name: doc.metadata.name,
      description: doc.metadata.description ?? '',
      sourcePath: ctx.file,
      source: ctx.source ?? ctx.file,
      variant: null,
      duration: doc.duration,
      seed,
      resolution,
      clusters,
      workloads,
      rollout,
      response,
      alerts,
      faults,
      fleet: {
        trafficHeadroom: doc.fleet?.trafficHeadroom ?? DEFAULTS.fleet.trafficHeadroom.value,
        registryBytesPerSecond: doc.fleet?.registryBandwidth ?? DEFAULTS.fleet.registryBandwidth.value,
      },
      variants,
    },
    issues: r.issues,
  };
}

/** Exposed for tests: where a manifest reference resolves to. */
export function manifestPath(scenarioFile: string, ref: string): string {
  return path.isAbsolute(ref) ? ref : path.join(path.dirname(scenarioFile), ref);
}
