/**
 * A change rolled out across a fleet of clusters: the target each cluster presents, the strategy
 * that decides which cluster gets the change when, the gates between waves and what happens when a
 * gate fails. All durations are seconds of simulated time. The scenario layer maps YAML onto these.
 */
import type { ControlPlaneHealth } from '../cluster-types.js';

/** One cluster as the rollout controller sees it. The lead adapts a ClusterHandle to it. */
export interface RolloutTarget {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Node count, for "largest cluster" canaries and size ordering. */
  readonly nodes: number;
  /** Applies the change; the cluster model paces the DaemonSet's pods itself. */
  deploy(): void;
  /**
   * Reverts the change through the cluster's API server (kubectl delete / rollout undo). `done` is
   * called exactly once with the outcome; it fails (or times out and fails) when the API server is
   * saturated or unreachable.
   */
  rollback(done: (ok: boolean) => void): void;
  health(): ControlPlaneHealth;
  /** Fraction of the cluster's user requests that succeed now, in [0, 1]. */
  serviceAvailability(): number;
  /** Fraction of DNS answers that are SERVFAIL now, in [0, 1]. */
  servfailFraction(): number;
  /** APF rejections per second across the cluster's API servers; needed by 'apf-rejections-per-second' gates. */
  apfRejectionsPerSecond?(): number;
  /** etcd request p99 latency, seconds; needed by 'etcd-p99-seconds' gates. */
  etcdP99Seconds?(): number;
}

/**
 * What a gate can look at, per cluster:
 * - 'api-p99-seconds': client-observed API p99 (ControlPlaneHealth.clientP99)
 * - 'api-error-fraction': fraction of API requests failing with 429, 5xx or no answer (errorFraction)
 * - 'api-saturated': 1 while the control plane counts as saturated, else 0
 * - 'apf-rejections-per-second', 'etcd-p99-seconds': the optional target methods
 * - 'dns-servfail-fraction', 'service-availability'
 */
export type GateSignal =
  | 'api-p99-seconds'
  | 'api-error-fraction'
  | 'api-saturated'
  | 'apf-rejections-per-second'
  | 'etcd-p99-seconds'
  | 'dns-servfail-fraction'
  | 'service-availability';

/** A bound on one signal; a measurement passes when max >= value >= min (either bound optional, one required). */
export interface GateCheck {
  readonly signal: GateSignal;
  readonly max?: number;
  readonly min?: number;
}

/**
 * Analysis between waves, in the manner of Argo Rollouts' AnalysisRun (interval, failureLimit):
 * measured every `interval` seconds from the wave's first deploy until its bake time ends, and once
 * more at the end of the bake.
 */
export interface GateConfig {
  readonly checks: readonly GateCheck[];
  /** Seconds between measurements (a measurement reads every check on every cluster in scope). */
  readonly interval: number;
  /** Failed measurements tolerated per wave before the gate fails (Argo Rollouts failureLimit, default 0). */
  readonly failureLimit: number;
  /** Clusters measured: those of the current wave, or every cluster deployed so far. */
  readonly scope: 'wave' | 'deployed';
}

/** Argo CD's sync retry shape (application spec `retry.backoff`). */
export interface RetryPolicy {
  /** Attempts in total, the first one included (>= 1). */
  readonly maxAttempts: number;
  /** Wait before the 2nd attempt, seconds. */
  readonly initialBackoff: number;
  /** Each further wait is the previous one times this. */
  readonly factor: number;
  /** Waits are capped at this, seconds. */
  readonly maxBackoff: number;
  /** Each wait is stretched by U[0, jitter) of itself (client-go wait.Jitter); 0 = none. */
  readonly jitter: number;
}

/** The order clusters are taken in: as listed, by node count, or a seeded shuffle. */
export type ClusterOrder = 'listed' | 'largest-first' | 'smallest-first' | 'shuffled';

export type WaveSelector =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  /** Clusters whose labels include all of these. */
  | { readonly kind: 'labels'; readonly labels: Readonly<Record<string, string>> }
  /** ceil(percent / 100 x fleet size) of the clusters not yet planned, in strategy order. */
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'count'; readonly count: number }
  /** Every cluster not yet planned. */
  | { readonly kind: 'rest' };

export interface WaveConfig {
  readonly name?: string;
  readonly select: WaveSelector;
  /** The wave's deploys are spread evenly over this many seconds (default 0: all at once). */
  readonly spreadSeconds?: number;
  /** Overrides the rollout's bake time for this wave. */
  readonly bakeSeconds?: number;
}

export interface AllAtOnceStrategy {
  readonly kind: 'all-at-once';
  /** Every cluster gets the change within this many seconds of the start. */
  readonly window: number;
  readonly order: ClusterOrder;
  /** 'even': at window x i/(n-1) in order; 'random': at seeded uniform times in [0, window], in order. */
  readonly spacing: 'even' | 'random';
}

export interface WavesStrategy {
  readonly kind: 'waves';
  readonly waves: readonly WaveConfig[];
  readonly order: ClusterOrder;
  /** Clusters no wave selected: deployed in a last wave named "remainder" (default) or never. */
  readonly remainder?: 'final-wave' | 'skip';
}

export interface CanaryStrategy {
  readonly kind: 'canary';
  /** The canary: a named cluster, or the one with the most nodes (ties: first listed). */
  readonly canary: { readonly kind: 'named'; readonly cluster: string } | { readonly kind: 'largest' };
  /** Bake time after the canary (default: the rollout's). */
  readonly bakeSeconds?: number;
  /** How the rest of the fleet follows the canary. */
  readonly afterCanary: AllAtOnceStrategy | WavesStrategy;
}

export type RolloutStrategy = AllAtOnceStrategy | WavesStrategy | CanaryStrategy;

export interface RolloutConfig {
  readonly name: string;
  /** Simulated time the pipeline starts, seconds. */
  readonly startAt: number;
  readonly strategy: RolloutStrategy;
  /** Seconds to wait after a wave's last deploy before the next wave (its gate keeps measuring). */
  readonly bakeSeconds: number;
  /** null: no gate; waves follow each other after their bake time whatever happens. */
  readonly gate: GateConfig | null;
  /** On a failed gate: halt, and roll back the clusters that got the change when this is set. */
  readonly autoRollback: boolean;
  /** Which clusters an automatic rollback reverts. */
  readonly rollbackScope: 'all-deployed' | 'failed-wave';
  readonly rollbackRetry: RetryPolicy;
}

/** A wave as planned before the rollout starts. */
export interface PlannedWave {
  readonly index: number;
  readonly name: string;
  /** In deploy order. */
  readonly clusters: readonly string[];
  /** Seconds after the wave starts at which each cluster is deployed (same order, non-decreasing). */
  readonly offsets: readonly number[];
  readonly bakeSeconds: number;
}

export type RolloutState = 'pending' | 'running' | 'halted' | 'completed';

export type RollbackState = 'none' | 'in-progress' | 'succeeded' | 'failed';

/** What the controller reports, in order, to `onEvent` (and as LoggedEvents of the same kind). */
export type RolloutEvent =
  | { readonly kind: 'rollout-wave-started'; readonly t: number; readonly wave: PlannedWave }
  | {
      readonly kind: 'rollout-cluster-deployed';
      readonly t: number;
      readonly cluster: string;
      readonly wave: number;
    }
  | {
      readonly kind: 'rollout-gate-passed';
      readonly t: number;
      readonly wave: number;
      readonly measurements: number;
    }
  | {
      readonly kind: 'rollout-gate-failed';
      readonly t: number;
      readonly wave: number;
      /** The violation that failed the gate. */
      readonly cluster: string;
      readonly check: GateCheck;
      readonly value: number;
    }
  | {
      readonly kind: 'rollout-halted';
      readonly t: number;
      readonly reason: string;
      readonly willRollBack: boolean;
    }
  | { readonly kind: 'rollout-completed'; readonly t: number }
  | {
      readonly kind: 'rollout-rollback-attempt';
      readonly t: number;
      readonly cluster: string;
      readonly attempt: number;
    }
  | {
      readonly kind: 'rollout-rollback-failed';
      readonly t: number;
      readonly cluster: string;
      readonly attempt: number;
      /** Seconds until the next attempt, or null when the policy gives up. */
      readonly retryIn: number | null;
    }
  | {
      readonly kind: 'rollout-rollback-succeeded';
      readonly t: number;
      readonly cluster: string;
      readonly attempt: number;
    };
