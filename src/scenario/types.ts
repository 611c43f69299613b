/**
 * What loadScenario returns: plain resolved values in the model's own types (seconds, bytes,
 * cores; every default filled in). simulate() reads nothing else.
 */
import type { AlertRule } from '../model/alerting/types.js';
import type { ClusterConfig, Fault, WorkloadConfig } from '../model/config.js';
import type { ResponseConfig } from '../model/response/types.js';
import type { RolloutConfig } from '../model/rollout/types.js';
import type { Issue } from './issues.js';

/** A rollout: the model's RolloutConfig plus what it deploys and where. */
export interface ResolvedRollout extends RolloutConfig {
  /** Name of the workload (in ResolvedScenario.workloads) the rollout deploys. */
  readonly workload: string;
  /** Clusters the rollout targets, in fleet order. */
  readonly clusters: readonly string[];
}

export interface ResolvedAlerts {
  /** Seconds between rule evaluations. */
  readonly evaluationInterval: number;
  /** The rules in force: the shipped defaults (unless turned off) followed by the scenario's own. */
  readonly rules: readonly AlertRule[];
}

export interface ResolvedVariant {
  readonly name: string;
  readonly description: string;
  /** The merge patch as written (JSON values). */
  readonly patch: Readonly<Record<string, unknown>>;
}

export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  /** The file it was loaded from (for built-ins, inside the package's scenarios/ folder). */
  readonly sourcePath: string;
  /** How the user named it, portable across machines: the path as given, or "built-in:NAME". */
  readonly source: string;
  /** The variant applied, or null for the scenario as written. */
  readonly variant: string | null;
  /** Simulated seconds. */
  readonly duration: number;
  readonly seed: number;
  /** Seconds between time-series samples. */
  readonly resolution: number;
  readonly clusters: readonly ClusterConfig[];
  readonly workloads: readonly WorkloadConfig[];
  readonly rollout: ResolvedRollout | null;
  readonly response: ResponseConfig | null;
  readonly alerts: ResolvedAlerts;
  readonly faults: readonly Fault[];
  /** What the clusters share: the balancer's headroom and each region's image registry. */
  readonly fleet: {
    readonly trafficHeadroom: number;
    /** bytes/s per region */
    readonly registryBytesPerSecond: number;
  };
  /** Named what-ifs; `applyVariant` returns the scenario with one applied. */
  readonly variants: Readonly<Record<string, ResolvedVariant>>;
}

export type LoadResult =
  | { readonly ok: true; readonly scenario: ResolvedScenario; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };
