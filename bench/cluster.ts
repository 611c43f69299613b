/**
 * `npm run bench -- cluster [--nodes 5000] [--until 3600] [--fidelity exact|aggregate] [--version 1.30]
 *   [--agent 0|1] [--seed 1]`
 *
 * Simulates baseline-5k (Kubernetes 1.30, 5,000 nodes, 150,000 pods, 3 API servers of 32 cores and
 * 128 GiB, ordinary traffic of kubelets, kube-proxies, controllers, scheduler and CoreDNS) per request,
 * exactly, for one simulated hour, and prints { simulatedSeconds, wallSeconds, events, eventsPerSec }
 * plus the CPU seconds of this process (the steadier figure on a shared machine), the time spent
 * building the cluster, and the requests that reached the API servers. `--agent 1` adds the agent-5k
 * DaemonSet at 10 min. Target (DESIGN.md): 10 s wall or less for the exact hour.
 */
import { createSimulation } from '../src/engine/index.js';
import { createCluster } from '../src/model/cluster.js';
import { createEventLog } from '../src/model/component.js';
import type { ClusterConfig, WorkloadConfig } from '../src/model/config.js';

const GIB = 2 ** 30;

function flags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
      else out.set(a.slice(2), args[++i] ?? '');
    }
  }
  return out;
}

export function baselineConfig(
  nodes: number,
  version: string,
  fidelity: 'exact' | 'aggregate',
): ClusterConfig {
  return {
    name: 'baseline-5k',
    region: 'bench',
    zones: 3,
    nodes,
    podsPerNode: 30,
    kubernetesVersion: version,
    apiServer: {
      replicas: 3,
      cores: 32,
      memoryBytes: 128 * GIB,
      maxRequestsInflight: 400,
      maxMutatingRequestsInflight: 200,
      requestTimeout: 60,
      enablePriorityAndFairness: true,
      restartDelay: 30,
    },
    etcd: { members: 3, cores: 8, writeLatencyFloor: 0.003 },
    flowSchemas: [],
    priorityLevels: [],
    dataPlane: {
      coreDns: {
        replicas: { kind: 'fixed', count: 10 },
        recordTtl: 30,
        cache: {
          enabled: true,
          successTtl: 30,
          denialTtl: 30,
          capacity: 9984,
          prefetch: 0,
          serveStale: null,
          servfailTtl: 5,
        },
        qpsPerReplica: 10000,
        memoryLimitBytes: 170 * 2 ** 20,
      },
      nodeLocal: { enabled: false, successTtl: 30, denialTtl: 5, serveStale: null },
      resolver: { ndots: 5, timeout: 5, attempts: 2, searchDomains: 3 },
      services: [],
    },
    trafficWeight: 1,
    fidelity,
  };
}

const AGENT: WorkloadConfig = {
  name: 'telemetry-agent',
  kind: 'DaemonSet',
  replicas: 0,
  identity: { serviceAccount: 'collector', namespace: 'telemetry' },
  accessProfiles: [
    {
      name: 'pods-on-my-node',
      verb: 'list',
      resource: 'pods',
      apiGroup: '',
      scope: 'cluster',
      rv: 'consistent',
      labelSelector: false,
      fieldSelector: true,
      returns: { kind: 'per-node' },
      limit: 0,
      mode: 'poll',
      period: 60,
      jitter: 0.2,
      client: { qps: 5, burst: 10, timeout: 0 },
    },
  ],
  startAt: 600,
  rollout: { maxUnavailable: 1, podStartSeconds: 10 },
  restartOnApiFailure: false,
};

export function run(args: string[]): unknown {
  const f = flags(args);
  const nodes = Number(f.get('nodes') ?? 5000);
  const until = Number(f.get('until') ?? 3600);
  const fidelity = (f.get('fidelity') ?? 'exact') === 'aggregate' ? 'aggregate' : 'exact';
  const version = f.get('version') ?? '1.30';
  const seed = Number(f.get('seed') ?? 1);
  const withAgent = f.get('agent') === '1';

  const buildStart = performance.now();
  const sim = createSimulation({ seed });
  const cluster = createCluster(sim, baselineConfig(nodes, version, fidelity), {
    log: createEventLog(),
    until,
  });
  if (withAgent) sim.scheduleAt(AGENT.startAt!, () => cluster.deployWorkload(AGENT), undefined);
  const buildSeconds = (performance.now() - buildStart) / 1000;

  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  sim.run({ until });
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const events = sim.eventsProcessed;
  return {
    simulatedSeconds: until,
    wallSeconds: Number(wallSeconds.toFixed(3)),
    events,
    eventsPerSec: Math.round(events / wallSeconds),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    buildSeconds: Number(buildSeconds.toFixed(3)),
    nodes,
    fidelity,
    requests: Math.round(cluster.controlPlane.stats.arrivedTotal),
    summary: cluster.summary(),
  };
}
