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
import { clusterConfig, telemetryAgent } from '../test/model/cluster/fixtures.js';

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
  // The same cluster and agent the control-plane tests use (test/model/cluster/fixtures.ts).
  const config = clusterConfig({
    name: 'baseline-5k',
    region: 'bench',
    nodes,
    kubernetesVersion: version,
    fidelity,
  });
  const agent = telemetryAgent();
  const cluster = createCluster(sim, config, {
    log: createEventLog(),
    until,
  });
  if (withAgent) sim.scheduleAt(agent.startAt!, () => cluster.deployWorkload(agent), undefined);
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
