/**
 * `npm run bench -- dataplane [--seed 1]`
 *
 * The data plane alone (fake API and informers from the data-plane tests, so the control plane costs
 * nothing) on the dns-apiserver-outage service graph (24 services, NodeLocal DNSCache, autoscaled
 * CoreDNS):
 * - large: 7,500 nodes (469 CoreDNS replicas, 1 GiB each as in FM-009) for 6 simulated hours, quiet
 *   (no outage): the steady state FM-009's large clusters spend most of their time in;
 * - medium: 1,000 nodes for 3 simulated hours with the API unreachable from 10 min for 2 h.
 * Prints { wallSeconds, cpuSeconds, ... } per case plus each summary, so two builds can be compared
 * for speed and for identical results.
 */
import type { DataPlaneConfig } from '../src/model/config.js';
import { startFakeDataPlane } from '../test/model/dataplane/fakes.js';
import { DNS_APISERVER_OUTAGE } from '../test/model/dataplane/fixtures.js';

function flags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) out.set(a.slice(2), args[++i] ?? '');
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly nodes: number;
  readonly until: number;
  readonly outage: { readonly at: number; readonly duration: number } | null;
  /** CoreDNS memory limit: FM-009 sizes it by the CoreDNS scaling guide. */
  readonly coreDnsMemoryBytes: number | 'scaling-guide';
}

const CASES: readonly Case[] = [
  { name: 'large-7500-6h', nodes: 7500, until: 6 * 3600, outage: null, coreDnsMemoryBytes: 'scaling-guide' },
  {
    name: 'medium-1000-3h-outage',
    nodes: 1000,
    until: 3 * 3600,
    outage: { at: 600, duration: 7200 },
    coreDnsMemoryBytes: DNS_APISERVER_OUTAGE.coreDns.memoryLimitBytes,
  },
];

function runCase(c: Case, base: DataPlaneConfig, seed: number): Record<string, unknown> {
  const config: DataPlaneConfig = {
    ...base,
    coreDns: { ...base.coreDns, memoryLimitBytes: c.coreDnsMemoryBytes },
  };
  const buildStart = performance.now();
  const { sim, cluster, dp } = startFakeDataPlane(config, { nodes: c.nodes, seed, until: c.until });
  const outage = c.outage;
  if (outage) sim.scheduleAt(outage.at, () => cluster.api.outage(outage.duration), undefined);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  sim.run({ until: c.until });
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return {
    name: c.name,
    nodes: c.nodes,
    simulatedSeconds: c.until,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    buildSeconds,
    events: sim.eventsProcessed,
    coreDnsReplicas: dp.coreDnsAnswers().length,
    summary: dp.summary(),
    availability: dp.availability(),
    loggedEvents: cluster.events.length,
  };
}

export function run(args: string[]): Record<string, unknown> {
  const f = flags(args);
  const seed = Number(f.get('seed') ?? 1);
  const cases = CASES.map((c) => runCase(c, DNS_APISERVER_OUTAGE, seed));
  const wallSeconds = cases.reduce((a, c) => a + (c.wallSeconds as number), 0);
  const cpuSeconds = cases.reduce((a, c) => a + (c.cpuSeconds as number), 0);
  return { wallSeconds, cpuSeconds, cases };
}
