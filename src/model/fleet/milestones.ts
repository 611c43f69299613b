/**
 * Fleet milestones, computed after a run from what happened (series and events). Definitions are
 * in docs/results.md; none of them is ever an input to the simulation.
 */
import type { LoggedEvent } from '../component.js';
import type { MilestoneName } from '../result.js';

export interface ClusterTimeline {
  readonly name: string;
  readonly nodes: number;
  /** Per step: service availability in [0, 1] (NaN before data). */
  readonly availability: Float64Array;
  /** Per step: 1 while the control plane is unhealthy (saturated, failing or down), else 0. */
  readonly apiUnhealthy: Float64Array;
}

export interface MilestoneInput {
  readonly resolution: number;
  /** Per step: fleet-wide, traffic-weighted availability. */
  readonly fleetAvailability: Float64Array;
  readonly clusters: readonly ClusterTimeline[];
  readonly events: readonly LoggedEvent[];
  /** Clusters with at least this many nodes are "large" (docs/results.md). */
  readonly largeClusterNodes: number;
  /** When the change started rolling out, seconds. */
  readonly changeStartedAt: number;
}

/** Customer impact: availability below this (99%). */
export const IMPACT_THRESHOLD = 0.99;
/** A recovered cluster stays healthy for at least this long (or to the end of the run), seconds. */
export const RECOVERY_HOLD = 1800;

export interface ClusterOutcome {
  readonly name: string;
  /** First step with customer impact or an unhealthy control plane, seconds, or null. */
  readonly troubleStartedAt: number | null;
  /** Start of the healthy stretch that ends the trouble, seconds, or null if it never does. */
  readonly recoveredAt: number | null;
  /** Seconds of customer impact (availability below 99%). */
  readonly impactSeconds: number;
  readonly hadCustomerImpact: boolean;
}

const healthyAt = (c: ClusterTimeline, k: number): boolean => {
  const a = c.availability[k]!;
  return !(a < IMPACT_THRESHOLD) && c.apiUnhealthy[k]! < 0.5;
};

/** The first sample a cluster's trouble is looked for in: the change's start. */
export const firstTroubleStep = (changeStartedAt: number, resolution: number): number =>
  Math.max(0, Math.floor(changeStartedAt / resolution));

export function clusterOutcome(c: ClusterTimeline, resolution: number, fromStep: number): ClusterOutcome {
  const n = c.availability.length;
  let first = -1;
  let impact = 0;
  for (let k = fromStep; k < n; k++) {
    if (!healthyAt(c, k) && first < 0) first = k;
    if (c.availability[k]! < IMPACT_THRESHOLD) impact++;
  }
  if (first < 0)
    return {
      name: c.name,
      troubleStartedAt: null,
      recoveredAt: null,
      impactSeconds: 0,
      hadCustomerImpact: false,
    };
  const hold = Math.ceil(RECOVERY_HOLD / resolution);
  let recovered = -1;
  let k = first;
  while (k < n) {
    if (!healthyAt(c, k)) {
      k++;
      continue;
    }
    let j = k;
    while (j < n && j - k < hold && healthyAt(c, j)) j++;
    if (j === n || j - k >= hold) {
      recovered = k;
      break;
    }
    k = j;
  }
  return {
    name: c.name,
    troubleStartedAt: first * resolution,
    recoveredAt: recovered < 0 ? null : recovered * resolution,
    impactSeconds: impact * resolution,
    hadCustomerImpact: impact > 0,
  };
}

/**
 * The troubled clusters the two recovery milestones come from. `first`: the earliest to recover among
 * those whose customers saw the outage (a control plane briefly unhealthy without customer impact
 * does not count, unless no cluster had impact). `last`: the latest of all to recover, or null when
 * one never did (then there is no full recovery). Earlier in the list wins a tie.
 */
export function recoveryEnds<T extends { readonly recoveredAt: number | null }>(
  troubled: readonly T[],
  hadCustomerImpact: (cluster: T) => boolean,
): { readonly first: T | null; readonly last: T | null } {
  const impacted = troubled.filter(hadCustomerImpact);
  let first: T | null = null;
  for (const c of impacted.length > 0 ? impacted : troubled)
    if (c.recoveredAt !== null && (first === null || c.recoveredAt < first.recoveredAt!)) first = c;
  let last: T | null = null;
  for (const c of troubled) {
    if (c.recoveredAt === null) return { first, last: null };
    if (last === null || c.recoveredAt > last.recoveredAt!) last = c;
  }
  return { first, last };
}

export function computeMilestones(input: MilestoneInput): {
  milestones: Record<MilestoneName, number | null>;
  outcomes: ClusterOutcome[];
} {
  const r = input.resolution;
  const fromStep = firstTroubleStep(input.changeStartedAt, r);
  const firstEvent = (
    kinds: readonly string[],
    accept: (e: LoggedEvent) => boolean = () => true,
  ): number | null => {
    for (const e of input.events)
      if (kinds.includes(e.kind) && e.t >= input.changeStartedAt && accept(e)) return e.t;
    return null;
  };
  const large = new Set(input.clusters.filter((c) => c.nodes >= input.largeClusterNodes).map((c) => c.name));
  const fleet = input.fleetAvailability;

  let firstImpact: number | null = null;
  let peak: number | null = null;
  let minAvailability = Number.POSITIVE_INFINITY;
  for (let k = fromStep; k < fleet.length; k++) {
    const a = fleet[k]!;
    if (firstImpact === null && a < IMPACT_THRESHOLD) firstImpact = k * r;
    if (a < minAvailability && a < IMPACT_THRESHOLD) {
      minAvailability = a;
      peak = k * r;
    }
  }

  const outcomes = input.clusters.map((c) => clusterOutcome(c, r, fromStep));
  const { first, last } = recoveryEnds(
    outcomes.filter((o) => o.troubleStartedAt !== null),
    (o) => o.hadCustomerImpact,
  );

  return {
    milestones: {
      changeReachedLargeCluster: firstEvent(['rollout-cluster-deployed'], (e) => large.has(e.cluster)),
      alertFired: firstEvent(['alert-firing']),
      firstCustomerImpact: firstImpact,
      peakCustomerImpact: peak,
      rollbackAttemptFailed: firstEvent(['rollback-attempt-failed', 'rollout-rollback-failed']),
      firstClusterRecovered: first?.recoveredAt ?? null,
      fullRecovery: last?.recoveredAt ?? null,
    },
    outcomes,
  };
}
