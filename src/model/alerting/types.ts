/**
 * Alert rules over simulated metrics, shaped like Prometheus alerting rules (name, `for`, severity,
 * expression) but with a small typed expression tree instead of PromQL text. Every duration is in
 * seconds of simulated time.
 */

/**
 * The current value of one cluster's metrics, read at each rule evaluation (the twin has no scrape
 * lag: a sample is read when the rules are evaluated).
 *
 * Contract for implementers: `sample(name, labels)` returns the SUM of every series called `name`
 * whose labels include all of `labels` (no labels = all series of that name), like PromQL
 * `sum(name{labels})`; `undefined` when no such series exists. Counters are cumulative since the
 * start of the run and may reset to a lower value (an apiserver restart), as in Prometheus.
 */
export interface MetricSource {
  sample(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export type ComparisonOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** One selector: `metric{labels}`, summed over every matching series by the MetricSource. */
export interface SeriesSelector {
  readonly metric: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Several selectors are summed (PromQL `sum(a) + sum(b)`, where an absent one counts as nothing). */
export type Selection = SeriesSelector | readonly SeriesSelector[];

/** A value computed at one evaluation; `undefined` (no data) makes any comparison on it false. */
export type ValueExpr =
  | { readonly kind: 'number'; readonly value: number }
  /** Current value of gauges (or raw counters). */
  | { readonly kind: 'gauge'; readonly series: Selection }
  /** Per-second increase of counters over the last `window` s (PromQL `rate`, with its extrapolation). */
  | { readonly kind: 'rate'; readonly series: Selection; readonly window: number }
  /** Increase of counters over the last `window` s (PromQL `increase`). */
  | { readonly kind: 'increase'; readonly series: Selection; readonly window: number }
  /** Mean / max / min of gauge samples over the last `window` s (PromQL `avg_over_time` ...). */
  | { readonly kind: 'avg-over-time'; readonly series: Selection; readonly window: number }
  | { readonly kind: 'max-over-time'; readonly series: Selection; readonly window: number }
  | { readonly kind: 'min-over-time'; readonly series: Selection; readonly window: number }
  /** IEEE arithmetic as in PromQL: x/0 is ±Inf, 0/0 is NaN (and NaN compares false). */
  | {
      readonly kind: 'arith';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: ValueExpr;
      readonly right: ValueExpr;
    };

/**
 * An alert condition. Like a PromQL comparison it yields the left-hand value when it holds and
 * nothing when it does not; the alert is active while it yields a value.
 */
export type AlertExpr =
  /** `metric{labels} op value` on a gauge. */
  | {
      readonly kind: 'threshold';
      readonly metric: string;
      readonly labels?: Readonly<Record<string, string>>;
      readonly op: ComparisonOp;
      readonly value: number;
    }
  /** `sum(rate(counter[window])) op value`. */
  | {
      readonly kind: 'rate';
      readonly counter: Selection;
      readonly window: number;
      readonly op: ComparisonOp;
      readonly value: number;
    }
  /** `sum(rate(numerator[window])) / sum(rate(denominator[window])) op value`. */
  | {
      readonly kind: 'ratio';
      readonly numerator: Selection;
      readonly denominator: Selection;
      readonly window: number;
      readonly op: ComparisonOp;
      readonly value: number;
    }
  /**
   * Multi-window error-budget burn (Google SRE workbook ch. 5; kubernetes-mixin
   * KubeAPIErrorBudgetBurn): the error ratio over BOTH windows exceeds factor * (1 - slo).
   * Yields the long-window burn ratio.
   */
  | {
      readonly kind: 'burn-rate';
      readonly errors: Selection;
      readonly total: Selection;
      /**
       * When given, the ratio is computed per class (these labels added to every selector) and the
       * per-class ratios are summed, as kubernetes-mixin sums its verb="read" and verb="write"
       * `apiserver_request:burnrate<window>` recording rules.
       */
      readonly classes?: readonly Readonly<Record<string, string>>[];
      /** Availability target in (0, 1), e.g. 0.99. */
      readonly slo: number;
      /** [long, short] windows, seconds. */
      readonly windows: readonly [number, number];
      readonly factor: number;
    }
  /** General form: `left op right`. */
  | {
      readonly kind: 'compare';
      readonly left: ValueExpr;
      readonly op: ComparisonOp;
      readonly right: ValueExpr;
    }
  /** PromQL `and`: every condition holds; yields the first one's value. */
  | { readonly kind: 'all'; readonly of: readonly AlertExpr[] }
  /** PromQL `or`: yields the first condition that holds. */
  | { readonly kind: 'any'; readonly of: readonly AlertExpr[] };

export interface AlertRule {
  /** Alert name, e.g. "KubeAPIErrorBudgetBurn"; several rules may share one (different windows). */
  readonly name: string;
  readonly severity: AlertSeverity;
  /** Seconds the condition must hold, at every evaluation, before pending turns into firing. */
  readonly for: number;
  readonly expr: AlertExpr;
  /** Extra labels that tell rules of the same name apart (e.g. { long: '1h', short: '5m' }). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary?: string;
  /** Where the rule comes from (mixin file, distribution), or why it is ours. */
  readonly source?: string;
}

/**
 * How the evaluator treats the part of a long window that lies before the first sample of the run.
 * - 'run-only': like a Prometheus started with the run (no earlier data; PromQL extrapolation rules).
 * - 'steady': like a Prometheus that had been running for days with the cluster in the state seen
 *   between `baselineFrom` and `baselineTo` (seconds of the run): each counter is assumed to have grown
 *   at its baseline rate before the run started.
 */
export type HistoryMode =
  | { readonly kind: 'run-only' }
  | { readonly kind: 'steady'; readonly baselineFrom: number; readonly baselineTo: number };

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One change of an alert's state, in the order evaluations produced them. */
export interface AlertTransition {
  /** Simulated seconds. */
  readonly t: number;
  readonly cluster: string;
  readonly rule: AlertRule;
  /** Index of the rule in the engine's rule list (stable identity when names repeat). */
  readonly ruleIndex: number;
  /** 'cancelled': a pending alert whose condition stopped holding before `for` elapsed. */
  readonly to: 'pending' | 'firing' | 'resolved' | 'cancelled';
  /** The expression's value at that evaluation (NaN when it yielded nothing). */
  readonly value: number;
  /** When the condition started holding (Prometheus ActiveAt). */
  readonly activeAt: number;
}

export interface AlertStatus {
  readonly cluster: string;
  readonly rule: AlertRule;
  readonly ruleIndex: number;
  readonly state: AlertState;
  /** When the current pending/firing episode started, or null when inactive. */
  readonly activeAt: number | null;
  readonly firedAt: number | null;
  /** Last value the expression yielded (NaN when it yielded nothing). */
  readonly value: number;
}
