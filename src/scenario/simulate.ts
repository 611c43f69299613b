/**
 * simulate(scenario, options) -> RunResult. Pure: no file or terminal I/O, and the same scenario
 * and seed give the same result, byte for byte once serialized.
 */
import { createSimulation, type Simulation } from '../engine/index.js';
import { type FleetConfig, type FleetOutcome, LARGE_CLUSTER_NODES, runFleet } from '../model/fleet/index.js';
import { type ClusterRecovery, RESULT_SCHEMA_VERSION, type RunResult } from '../model/result.js';
import type { ResolvedScenario } from './types.js';
import { STORMGLASS_VERSION } from './version.js';

export interface SimulateProgress {
  /** Simulated seconds reached. */
  readonly simulated: number;
  readonly until: number;
  readonly events: number;
}

export interface SimulateOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Stop at this simulated time, seconds (default: the scenario's duration). */
  readonly until?: number;
  /** Called about 100 times per run, in simulated-time order. */
  readonly onProgress?: (progress: SimulateProgress) => void;
}

/** Fleets larger than this keep only health series for clusters that stayed healthy (docs/results.md). */
export const FULL_SERIES_MAX_CLUSTERS = 20;

export function simulate(scenario: ResolvedScenario, options: SimulateOptions = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  const until = options.until ?? scenario.duration;
  const sim = createSimulation({ seed });
  const onProgress = options.onProgress;
  const outcome = runFleet(sim, fleetConfig(scenario, until), (partition) => {
    if (onProgress) reportProgress(sim, until, onProgress, () => partition.eventsProcessed);
  });
  return toRunResult(scenario, seed, until, outcome);
}

/** Calls `onProgress` at every hundredth of the run, from inside the simulation (an event each). */
export function reportProgress(
  sim: Simulation,
  until: number,
  onProgress: NonNullable<SimulateOptions['onProgress']>,
  /** Events run so far (the fleet's and its clusters' simulations). */
  events: () => number,
): void {
  const step = until / 100;
  const tick = (): void => {
    onProgress({ simulated: sim.now, until, events: events() });
    if (sim.now + step <= until) sim.schedule(step, tick, undefined);
  };
  sim.schedule(step, tick, undefined);
}

/** The fleet a scenario describes, run to `until`. */
export function fleetConfig(scenario: ResolvedScenario, until: number): FleetConfig {
  return {
    clusters: scenario.clusters,
    workloads: scenario.workloads,
    rollout: scenario.rollout,
    response: scenario.response,
    alerts: scenario.alerts.rules,
    evaluationInterval: scenario.alerts.evaluationInterval,
    faults: scenario.faults,
    duration: until,
    resolution: scenario.resolution,
    largeClusterNodes: LARGE_CLUSTER_NODES,
    trafficHeadroom: scenario.fleet.trafficHeadroom,
    registryBytesPerSecond: scenario.fleet.registryBytesPerSecond,
    quietClusterSeries: scenario.clusters.length > FULL_SERIES_MAX_CLUSTERS ? 'health' : 'all',
  };
}

export function toRunResult(
  scenario: ResolvedScenario,
  seed: number,
  until: number,
  outcome: FleetOutcome,
): RunResult {
  const hasFleet = scenario.clusters.length > 1 || scenario.rollout !== null;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    stormglassVersion: STORMGLASS_VERSION,
    scenario: { name: scenario.name, description: scenario.description, source: scenario.source },
    seed,
    simulatedSeconds: until,
    resolutionSeconds: scenario.resolution,
    clusters: outcome.clusters,
    fleet: hasFleet ? { availability: outcome.fleetAvailability } : null,
    events: outcome.events,
    milestones: scenario.rollout !== null ? outcome.milestones : {},
    ...(scenario.rollout !== null ? { recoveries: recoveriesOf(outcome) } : {}),
    variants: [],
    parameters: outcome.parameters,
  };
}

/** The troubled clusters' outcomes, as the result reports them. */
function recoveriesOf(outcome: FleetOutcome): ClusterRecovery[] {
  const out: ClusterRecovery[] = [];
  for (const o of outcome.outcomes) {
    if (o.troubleStartedAt === null) continue;
    out.push({
      cluster: o.name,
      troubleStartedAt: o.troubleStartedAt,
      recoveredAt: o.recoveredAt,
      customerImpactSeconds: o.impactSeconds,
    });
  }
  return out;
}
