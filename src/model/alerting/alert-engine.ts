/**
 * Prometheus-like alert evaluation on simulated metrics. Every `evaluationInterval` the engine reads
 * the series its rules reference from each cluster's MetricSource, keeps them in per-series
 * histories, evaluates every rule, and moves each (rule, cluster) alert through Prometheus' states
 * (prometheus/rules/alerting.go `Eval`): inactive -> pending when the condition first holds; pending
 * -> firing at the first evaluation where `t - activeAt >= for`; pending -> dropped, or firing ->
 * resolved, at the first evaluation where it does not hold. Time to detect is the first firing.
 */
import { LATE, type Simulation } from '../../engine/index.js';
import type { EventLog } from '../component.js';
import { SeriesHistory } from './series-history.js';
import type {
  AlertExpr,
  AlertRule,
  AlertSeverity,
  AlertState,
  AlertStatus,
  AlertTransition,
  ComparisonOp,
  HistoryMode,
  MetricSource,
  Selection,
  SeriesSelector,
  ValueExpr,
} from './types.js';

/**
 * Seconds between rule evaluations. 30 s is prometheus-operator's `evaluationInterval` default
 * (pkg/apis/monitoring/v1/prometheus_types.go, "Default: 30s"), which kube-prometheus and the
 * kube-prometheus-stack chart ship; Prometheus' own global default is 1m (config/config.go
 * DefaultGlobalConfig). Source-backed, not fitted.
 */
export const DEFAULT_EVALUATION_INTERVAL = 30;

export interface AlertEngineOptions {
  readonly rules: readonly AlertRule[];
  /** Seconds between evaluations (default DEFAULT_EVALUATION_INTERVAL). */
  readonly evaluationInterval?: number;
  /** Simulated time of the first evaluation, seconds (default 0). */
  readonly startAt?: number;
  /** No evaluation after this time (default never stops: run the simulation with `until`). */
  readonly until?: number;
  /** Default 'run-only' (a Prometheus started with the run). */
  readonly history?: HistoryMode;
  /** Receives alert-pending, alert-firing and alert-resolved events. */
  readonly log?: EventLog;
  readonly onPending?: (transition: AlertTransition) => void;
  readonly onFiring?: (transition: AlertTransition) => void;
  readonly onResolved?: (transition: AlertTransition) => void;
}

export interface AlertFilter {
  /** Only transitions at or after this time. */
  readonly since?: number;
  readonly cluster?: string;
  readonly name?: string;
  /** Only rules at least this severe (info < warning < critical). */
  readonly minSeverity?: AlertSeverity;
}

export interface AlertEngine {
  readonly evaluationInterval: number;
  readonly rules: readonly AlertRule[];
  /** Starts watching a cluster; its histories begin at the next evaluation. Names must be unique. */
  addCluster(name: string, source: MetricSource): void;
  /** Every state change so far, in evaluation order. */
  transitions(): readonly AlertTransition[];
  /** Current state of every (cluster, rule) pair, clusters in the order added. */
  statuses(): readonly AlertStatus[];
  isFiring(cluster: string, filter?: Omit<AlertFilter, 'cluster' | 'since'>): boolean;
  /** The earliest transition to firing that matches, or null. */
  firstFiring(filter?: AlertFilter): AlertTransition | null;
  /** Seconds from `since` to the first matching firing at or after it, or null: time to detect. */
  timeToDetect(since: number, filter?: Omit<AlertFilter, 'since'>): number | null;
  /**
   * Selectors that have never returned a value for this cluster: a rule reading them can never
   * fire there. An adapter check for the wiring (a misspelt metric fails silently otherwise).
   */
  missingSeries(cluster: string): readonly SeriesSelector[];
  /** Stops evaluating (pending evaluations are cancelled). */
  stop(): void;
}

type Compiled = (histories: readonly SeriesHistory[], t: number) => number | undefined;

interface SeriesSlot {
  readonly selector: SeriesSelector;
  /** Longest window any rule reads this series over, seconds. */
  maxWindow: number;
}

interface AlertSlot {
  state: AlertState;
  activeAt: number;
  firedAt: number;
  value: number;
}

interface ClusterSlot {
  readonly name: string;
  readonly source: MetricSource;
  readonly histories: SeriesHistory[];
  readonly alerts: AlertSlot[];
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export function createAlertEngine(sim: Simulation, options: AlertEngineOptions): AlertEngine {
  const interval = options.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL;
  if (!(interval > 0))
    throw new RangeError(`alerting: evaluationInterval must be > 0 seconds, got ${interval}`);
  const history = options.history ?? { kind: 'run-only' };
  if (history.kind === 'steady' && !(history.baselineTo > history.baselineFrom)) {
    throw new RangeError(
      `alerting: history.baselineTo (${history.baselineTo}) must be after baselineFrom (${history.baselineFrom})`,
    );
  }
  const rules = options.rules;
  const series: SeriesSlot[] = [];
  const seriesIds = new Map<string, number>();
  const compiler = { interval, series, seriesIds };
  const compiled = rules.map((rule, i) => {
    validateRule(rule, i);
    return compileCondition(rule.expr, compiler, `rules[${i}] (${rule.name})`);
  });

  const clusters: ClusterSlot[] = [];
  const clusterNames = new Set<string>();
  const log: AlertTransition[] = [];
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const startAt = options.startAt ?? 0;
  let timer: number | null = null;
  let isStopped = false;

  const newHistory = (slot: SeriesSlot): SeriesHistory =>
    new SeriesHistory({ maxSamples: Math.ceil(slot.maxWindow / interval) + 2, history });

  const emit = (cluster: ClusterSlot, ruleIndex: number, to: AlertTransition['to'], t: number): void => {
    const rule = rules[ruleIndex]!;
    const alert = cluster.alerts[ruleIndex]!;
    const transition: AlertTransition = {
      t,
      cluster: cluster.name,
      rule,
      ruleIndex,
      to,
      value: alert.value,
      activeAt: alert.activeAt,
    };
    log.push(transition);
    if (to === 'cancelled') return;
    const kind = to === 'pending' ? 'alert-pending' : to === 'firing' ? 'alert-firing' : 'alert-resolved';
    options.log?.record({
      t,
      cluster: cluster.name,
      kind,
      severity: to === 'firing' ? rule.severity : 'info',
      message: `${alertLabel(rule)} ${to} (value ${formatValue(alert.value)}, active since ${alert.activeAt} s)`,
    });
    if (to === 'pending') options.onPending?.(transition);
    else if (to === 'firing') options.onFiring?.(transition);
    else options.onResolved?.(transition);
  };

  const evaluateCluster = (cluster: ClusterSlot, t: number): void => {
    for (let s = 0; s < series.length; s++) {
      const sel = series[s]!.selector;
      cluster.histories[s]!.push(t, cluster.source.sample(sel.metric, sel.labels));
    }
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const alert = cluster.alerts[r]!;
      const value = compiled[r]!(cluster.histories, t);
      if (value === undefined) {
        if (alert.state === 'inactive') continue;
        const wasFiring = alert.state === 'firing';
        alert.state = 'inactive';
        emit(cluster, r, wasFiring ? 'resolved' : 'cancelled', t);
        continue;
      }
      alert.value = value;
      if (alert.state === 'inactive') {
        alert.state = 'pending';
        alert.activeAt = t;
        // Prometheus checks the hold in the same evaluation, so `for: 0` fires at once.
        if (rule.for > 0) emit(cluster, r, 'pending', t);
      }
      if (alert.state === 'pending' && t - alert.activeAt >= rule.for - 1e-9) {
        alert.state = 'firing';
        alert.firedAt = t;
        emit(cluster, r, 'firing', t);
      }
    }
  };

  // Evaluation k runs at first + k * interval (multiplied, not summed, so times do not drift).
  const first = Math.max(startAt, sim.now);
  let evaluations = 0;
  const evaluate = (): void => {
    timer = null;
    const t = sim.now;
    for (const cluster of clusters) evaluateCluster(cluster, t);
    evaluations++;
    const next = first + evaluations * interval;
    if (!isStopped && next <= until + 1e-9) timer = sim.scheduleAt(next, evaluate, undefined, LATE);
  };

  if (first <= until) timer = sim.scheduleAt(first, evaluate, undefined, LATE);

  const matches = (tr: AlertTransition, filter: AlertFilter | undefined): boolean => {
    if (filter === undefined) return true;
    if (filter.since !== undefined && tr.t < filter.since) return false;
    if (filter.cluster !== undefined && tr.cluster !== filter.cluster) return false;
    if (filter.name !== undefined && tr.rule.name !== filter.name) return false;
    if (
      filter.minSeverity !== undefined &&
      SEVERITY_RANK[tr.rule.severity] < SEVERITY_RANK[filter.minSeverity]
    )
      return false;
    return true;
  };

  const firstFiring = (filter?: AlertFilter): AlertTransition | null => {
    for (const tr of log) if (tr.to === 'firing' && matches(tr, filter)) return tr;
    return null;
  };

  return {
    evaluationInterval: interval,
    rules,
    addCluster(name, source) {
      if (clusterNames.has(name)) throw new RangeError(`alerting: cluster "${name}" was added twice`);
      clusterNames.add(name);
      clusters.push({
        name,
        source,
        histories: series.map(newHistory),
        alerts: rules.map(() => ({
          state: 'inactive',
          activeAt: Number.NaN,
          firedAt: Number.NaN,
          value: Number.NaN,
        })),
      });
    },
    transitions: () => log,
    statuses() {
      const out: AlertStatus[] = [];
      for (const cluster of clusters) {
        cluster.alerts.forEach((a, ruleIndex) => {
          out.push({
            cluster: cluster.name,
            rule: rules[ruleIndex]!,
            ruleIndex,
            state: a.state,
            activeAt: a.state === 'inactive' ? null : a.activeAt,
            firedAt: a.state === 'firing' ? a.firedAt : null,
            value: a.value,
          });
        });
      }
      return out;
    },
    isFiring(cluster, filter) {
      const slot = clusters.find((c) => c.name === cluster);
      if (slot === undefined) return false;
      return slot.alerts.some((a, i) => {
        const rule = rules[i]!;
        if (a.state !== 'firing') return false;
        if (filter?.name !== undefined && rule.name !== filter.name) return false;
        if (
          filter?.minSeverity !== undefined &&
          SEVERITY_RANK[rule.severity] < SEVERITY_RANK[filter.minSeverity]
        )
          return false;
        return true;
      });
    },
    firstFiring,
    timeToDetect(since, filter) {
      const tr = firstFiring({ ...filter, since });
      return tr === null ? null : tr.t - since;
    },
    missingSeries(cluster) {
      const slot = clusters.find((c) => c.name === cluster);
      if (slot === undefined) throw new RangeError(`alerting: unknown cluster "${cluster}"`);
      return series.filter((_, i) => !slot.histories[i]!.hasData).map((s) => s.selector);
    },
    stop() {
      isStopped = true;
      if (timer !== null) sim.cancel(timer);
      timer = null;
    },
  };
}

/** Every series the rules read, deduplicated, in first-use order: the names a MetricSource must serve. */
export function referencedSeries(rules: readonly AlertRule[]): readonly SeriesSelector[] {
  const series: SeriesSlot[] = [];
  const compiler = { interval: 1, series, seriesIds: new Map<string, number>() };
  rules.forEach((rule, i) => {
    compileCondition(rule.expr, compiler, `rules[${i}] (${rule.name})`, false);
  });
  return series.map((s) => s.selector);
}

export function alertLabel(rule: AlertRule): string {
  const labels = rule.labels === undefined ? [] : Object.entries(rule.labels);
  if (labels.length === 0) return rule.name;
  return `${rule.name}{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

function validateRule(rule: AlertRule, index: number): void {
  const where = `alerting: rules[${index}] (${rule.name || 'unnamed'})`;
  if (rule.name.length === 0) throw new RangeError(`${where}: a rule needs a name`);
  if (!(rule.for >= 0)) throw new RangeError(`${where}: "for" must be >= 0 seconds, got ${rule.for}`);
}

interface Compiler {
  readonly interval: number;
  readonly series: SeriesSlot[];
  readonly seriesIds: Map<string, number>;
}

function seriesKey(sel: SeriesSelector): string {
  const labels = sel.labels === undefined ? [] : Object.keys(sel.labels).sort();
  return `${sel.metric}{${labels.map((k) => `${k}=${JSON.stringify(sel.labels![k])}`).join(',')}}`;
}

function withLabels(selection: Selection, labels: Readonly<Record<string, string>>): Selection {
  return selectorsOf(selection).map((sel) => ({ metric: sel.metric, labels: { ...sel.labels, ...labels } }));
}

function selectorsOf(selection: Selection): readonly SeriesSelector[] {
  return Array.isArray(selection) ? (selection as readonly SeriesSelector[]) : [selection as SeriesSelector];
}

function register(c: Compiler, selection: Selection, window: number, where: string): number[] {
  const selectors = selectorsOf(selection);
  if (selectors.length === 0) throw new RangeError(`${where}: a series list needs at least one selector`);
  return selectors.map((sel) => {
    if (sel.metric.length === 0) throw new RangeError(`${where}: a selector needs a metric name`);
    const key = seriesKey(sel);
    let id = c.seriesIds.get(key);
    if (id === undefined) {
      id = c.series.length;
      c.seriesIds.set(key, id);
      c.series.push({ selector: sel, maxWindow: 0 });
    }
    const slot = c.series[id]!;
    if (window > slot.maxWindow) slot.maxWindow = window;
    return id;
  });
}

// NOTE: the sums below are written out per kind (no callback per series) because they run for
// every rule, cluster and evaluation of a fleet run.

/** Sum of the latest samples of the series that have data; undefined when none has. */
function sumLatest(h: readonly SeriesHistory[], ids: readonly number[]): number | undefined {
  let sum = 0;
  let hasData = false;
  for (let i = 0; i < ids.length; i++) {
    const v = h[ids[i]!]!.latest();
    if (v !== undefined) {
      sum += v;
      hasData = true;
    }
  }
  return hasData ? sum : undefined;
}

function sumDelta(
  h: readonly SeriesHistory[],
  ids: readonly number[],
  t: number,
  w: number,
  isRate: boolean,
): number | undefined {
  let sum = 0;
  let hasData = false;
  for (let i = 0; i < ids.length; i++) {
    const v = h[ids[i]!]!.delta(t, w, isRate);
    if (v !== undefined) {
      sum += v;
      hasData = true;
    }
  }
  return hasData ? sum : undefined;
}

function sumOverTime(
  h: readonly SeriesHistory[],
  ids: readonly number[],
  t: number,
  w: number,
  fn: 'avg' | 'max' | 'min',
): number | undefined {
  let sum = 0;
  let hasData = false;
  for (let i = 0; i < ids.length; i++) {
    const v = h[ids[i]!]!.overTime(t, w, fn);
    if (v !== undefined) {
      sum += v;
      hasData = true;
    }
  }
  return hasData ? sum : undefined;
}

function checkWindow(
  c: Compiler,
  window: number,
  minIntervals: number,
  where: string,
  strict: boolean,
): void {
  if (!(window > 0)) throw new RangeError(`${where}: window must be > 0 seconds, got ${window}`);
  if (strict && window < minIntervals * c.interval - 1e-9) {
    throw new RangeError(
      `${where}: window ${window} s holds fewer than ${minIntervals} samples at the ${c.interval} s evaluation interval; ` +
        `use a window of at least ${minIntervals * c.interval} s (Prometheus advice: 4x the interval)`,
    );
  }
}

function compileValue(expr: ValueExpr, c: Compiler, where: string, strict: boolean): Compiled {
  switch (expr.kind) {
    case 'number': {
      const value = expr.value;
      return () => value;
    }
    case 'gauge': {
      const ids = register(c, expr.series, 0, where);
      return (h) => sumLatest(h, ids);
    }
    case 'rate':
    case 'increase': {
      // A rate needs two samples inside its left-open window.
      checkWindow(c, expr.window, 2, where, strict);
      const ids = register(c, expr.series, expr.window, where);
      const w = expr.window;
      const isRate = expr.kind === 'rate';
      return (h, t) => sumDelta(h, ids, t, w, isRate);
    }
    case 'avg-over-time':
    case 'max-over-time':
    case 'min-over-time': {
      checkWindow(c, expr.window, 1, where, strict);
      const ids = register(c, expr.series, expr.window, where);
      const w = expr.window;
      const fn = expr.kind === 'avg-over-time' ? 'avg' : expr.kind === 'max-over-time' ? 'max' : 'min';
      return (h, t) => sumOverTime(h, ids, t, w, fn);
    }
    case 'arith': {
      const left = compileValue(expr.left, c, where, strict);
      const right = compileValue(expr.right, c, where, strict);
      const op = expr.op;
      return (h, t) => {
        const l = left(h, t);
        if (l === undefined) return undefined;
        const r = right(h, t);
        if (r === undefined) return undefined;
        return op === '+' ? l + r : op === '-' ? l - r : op === '*' ? l * r : l / r;
      };
    }
  }
}

function compare(l: number, op: ComparisonOp, r: number): boolean {
  switch (op) {
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '==':
      return l === r;
    case '!=':
      return l !== r;
  }
}

function comparison(left: Compiled, op: ComparisonOp, right: Compiled): Compiled {
  return (h, t) => {
    const l = left(h, t);
    if (l === undefined) return undefined;
    const r = right(h, t);
    if (r === undefined) return undefined;
    return compare(l, op, r) ? l : undefined;
  };
}

function compileCondition(expr: AlertExpr, c: Compiler, where: string, strict = true): Compiled {
  const num = (value: number): ValueExpr => ({ kind: 'number', value });
  switch (expr.kind) {
    case 'threshold': {
      const gauge: ValueExpr = {
        kind: 'gauge',
        series:
          expr.labels === undefined ? { metric: expr.metric } : { metric: expr.metric, labels: expr.labels },
      };
      return comparison(
        compileValue(gauge, c, where, strict),
        expr.op,
        compileValue(num(expr.value), c, where, strict),
      );
    }
    case 'rate': {
      const rate: ValueExpr = { kind: 'rate', series: expr.counter, window: expr.window };
      return comparison(
        compileValue(rate, c, where, strict),
        expr.op,
        compileValue(num(expr.value), c, where, strict),
      );
    }
    case 'ratio': {
      const ratio: ValueExpr = {
        kind: 'arith',
        op: '/',
        left: { kind: 'rate', series: expr.numerator, window: expr.window },
        right: { kind: 'rate', series: expr.denominator, window: expr.window },
      };
      return comparison(
        compileValue(ratio, c, where, strict),
        expr.op,
        compileValue(num(expr.value), c, where, strict),
      );
    }
    case 'burn-rate': {
      const [long, short] = expr.windows;
      if (!(expr.slo > 0 && expr.slo < 1))
        throw new RangeError(`${where}: slo must be in (0, 1), got ${expr.slo}`);
      if (!(expr.factor > 0)) throw new RangeError(`${where}: factor must be > 0, got ${expr.factor}`);
      if (!(long >= short))
        throw new RangeError(`${where}: windows are [long, short]; got [${long}, ${short}]`);
      const threshold = expr.factor * (1 - expr.slo);
      const ratio = (window: number, errors: Selection, total: Selection): ValueExpr => ({
        kind: 'arith',
        op: '/',
        left: { kind: 'rate', series: errors, window },
        right: { kind: 'rate', series: total, window },
      });
      const classes = expr.classes;
      const burn = (window: number): ValueExpr => {
        if (classes === undefined) return ratio(window, expr.errors, expr.total);
        if (classes.length === 0) throw new RangeError(`${where}: "classes" needs at least one label set`);
        return classes
          .map((labels) => ratio(window, withLabels(expr.errors, labels), withLabels(expr.total, labels)))
          .reduce((sum, part) => ({ kind: 'arith', op: '+', left: sum, right: part }));
      };
      return compileCondition(
        {
          kind: 'all',
          of: [
            { kind: 'compare', left: burn(long), op: '>', right: num(threshold) },
            { kind: 'compare', left: burn(short), op: '>', right: num(threshold) },
          ],
        },
        c,
        where,
        strict,
      );
    }
    case 'compare':
      return comparison(
        compileValue(expr.left, c, where, strict),
        expr.op,
        compileValue(expr.right, c, where, strict),
      );
    case 'all':
    case 'any': {
      if (expr.of.length === 0) throw new RangeError(`${where}: "${expr.kind}" needs at least one condition`);
      const parts = expr.of.map((e) => compileCondition(e, c, where, strict));
      if (expr.kind === 'all') {
        return (h, t) => {
          let first: number | undefined;
          for (let i = 0; i < parts.length; i++) {
            const v = parts[i]!(h, t);
            if (v === undefined) return undefined;
            if (i === 0) first = v;
          }
          return first;
        };
      }
      return (h, t) => {
        for (const part of parts) {
          const v = part(h, t);
          if (v !== undefined) return v;
        }
        return undefined;
      };
    }
  }
}
