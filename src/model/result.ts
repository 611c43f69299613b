/**
 * The result contract (docs/results.md). `schemaVersion` changes whenever a field changes meaning
 * or disappears; new optional fields do not bump it.
 */
import type { LoggedEvent, ParameterDeclaration } from './component.js';

export const RESULT_SCHEMA_VERSION = 1;

/** Per-cluster summary; sections are filled by the components present in the run. */
export interface ClusterSummary {
  readonly apiserver?: {
    /** Worst 5-minute-window p99 (SLO semantics: excludes APF queue wait), seconds. */
    readonly worstP99Seconds: { readonly mutating: number; readonly get: number; readonly list: number };
    /** Same, as clients observe it (queue wait, retries and timeouts included). */
    readonly worstClientP99Seconds: {
      readonly mutating: number;
      readonly get: number;
      readonly list: number;
    };
    readonly saturatedAt: number | null;
    readonly rejectedFraction: number;
    readonly restarts: number;
  };
  readonly nodes?: { readonly count: number; readonly notReadyMax: number };
  readonly dns?: { readonly servfailFractionMax: number };
  readonly services?: { readonly availabilityMin: number; readonly impactStartedAt: number | null };
  readonly [section: string]: unknown;
}

export interface SeriesDescriptor {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly unit: string;
  readonly help: string;
  /** One value per resolution step from t = 0; null where not yet defined. */
  readonly values: readonly (number | null)[];
}

export interface ClusterResult {
  readonly name: string;
  readonly region: string;
  readonly nodes: number;
  readonly summary: ClusterSummary;
  readonly series: readonly SeriesDescriptor[];
}

export type MilestoneName =
  | 'changeReachedLargeCluster'
  | 'alertFired'
  | 'firstCustomerImpact'
  | 'peakCustomerImpact'
  | 'rollbackAttemptFailed'
  | 'firstClusterRecovered'
  | 'fullRecovery';

export interface VariantResult {
  readonly name: string;
  readonly description: string;
  readonly customerImpactMinutes: number;
  readonly clustersAffected: number;
  readonly timeToDetectMinutes: number | null;
  readonly timeToMitigateMinutes: number | null;
  readonly timeToFullRecoveryMinutes: number | null;
}

/**
 * How one troubled cluster's trouble went (docs/results.md): what `firstClusterRecovered` and
 * `fullRecovery` are made of, so a reader can see which cluster set them.
 */
export interface ClusterRecovery {
  readonly cluster: string;
  /** First step with customer impact or an unhealthy control plane, seconds since scenario start. */
  readonly troubleStartedAt: number;
  /** Start of the healthy stretch that ended the trouble, seconds, or null if it never did. */
  readonly recoveredAt: number | null;
  /** Seconds with availability below 99% (0: only the control plane was unhealthy). */
  readonly customerImpactSeconds: number;
}

export interface FleetSeries {
  /** Fleet-wide customer availability (request-weighted), one value per step. */
  readonly availability: readonly (number | null)[];
}

export interface RunResult {
  readonly schemaVersion: number;
  readonly stormglassVersion: string;
  readonly scenario: { readonly name: string; readonly description: string; readonly source: string };
  readonly seed: number;
  readonly simulatedSeconds: number;
  readonly resolutionSeconds: number;
  readonly clusters: readonly ClusterResult[];
  readonly fleet: FleetSeries | null;
  readonly events: readonly LoggedEvent[];
  /** Fleet-level milestones, seconds since scenario start, or null (filled by replay). */
  readonly milestones: Partial<Record<MilestoneName, number | null>>;
  /**
   * The published times of the same milestones, seconds since scenario start, for a replay of a
   * real incident. Never an input to the simulation: carried only so reports can overlay them.
   */
  readonly published?: Partial<Record<MilestoneName, number>>;
  /** Every troubled cluster, in scenario order, when the scenario rolls out a change (else absent). */
  readonly recoveries?: readonly ClusterRecovery[];
  readonly variants: readonly VariantResult[];
  /** Every parameter in force, with unit and source, so a report can be reproduced. */
  readonly parameters: readonly (ParameterDeclaration & { readonly component: string })[];
}
