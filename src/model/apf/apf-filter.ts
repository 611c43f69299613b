/**
 * The admission layer of one kube-apiserver replica: API Priority and Fairness (v1.31 default) or the
 * legacy max-in-flight filter.
 *
 * Borrowing runs every 10 s as in apf_controller.go, but lazily: while every level is idle no timer is
 * kept (so an idle replica does not keep the simulation alive), and the missed adjustments are
 * replayed, at their own instants, before the next request or metric read. While idle the seat demand
 * is a constant zero, so the replay is exact.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { Simulation } from '../../engine/index.js';
import type { ApiRequest } from '../api-types.js';
import type { MetricDeclaration, ParameterDeclaration } from '../component.js';
import { type AllocationItem, computeAllocation } from './borrowing.js';
import { type Classifier, createClassifier, type FlowClassification } from './classifier.js';
import { type DigestedConfig, digestConfiguration, type LevelSpec } from './config.js';
import { MaxInFlightFilter } from './max-in-flight.js';
import {
  APF_PARAMETERS,
  BORROWING_ADJUSTMENT_PERIOD,
  DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
  DEFAULT_MAX_REQUESTS_INFLIGHT,
} from './parameters.js';
import {
  type ApfRequest,
  CallbackRequest,
  type DispatchCallback,
  LevelCounters,
  PriorityLevel,
  type RejectCallback,
} from './priority-level.js';
import type { ApfFilter, ApfOptions, Classification } from './types.js';
import { estimateWork, type WorkEstimate, type WorkInput } from './work-estimator.js';

/** A read-only view of one priority level, for tests and reports. */
export interface LevelSnapshot {
  readonly name: string;
  readonly kind: LevelSpec['kind'];
  readonly nominalCL: number;
  readonly lendableCL: number;
  readonly minCL: number;
  readonly maxCL: number;
  readonly currentCL: number;
  readonly maxSeats: number;
  readonly seatsInUse: number;
  readonly executingRequests: number;
  readonly waitingRequests: number;
  readonly retryAfter: number;
  readonly smoothedDemand: number;
}

export interface ApfInspection {
  /** Every level of the current configuration, draining ones included. */
  levels(): readonly LevelSnapshot[];
  /** Server concurrency limit: --max-requests-inflight + --max-mutating-requests-inflight. */
  readonly serverConcurrencyLimit: number;
}

function onBorrowingTick(filter: ApfFilterImpl): void {
  filter.tick();
}

class ApfFilterImpl implements ApfFilter, ApfInspection {
  readonly id: string;
  readonly serverConcurrencyLimit: number;
  private readonly legacy: MaxInFlightFilter | null;
  private config: DigestedConfig;
  private classifier: Classifier;
  private generation = 0;
  private readonly levelsByName = new Map<string, PriorityLevel>();
  private levelList: PriorityLevel[] = [];
  private readonly counters = new Map<string, LevelCounters>();
  private userFlowSchemas: readonly FlowSchema[];
  private userPriorityLevels: readonly PriorityLevelConfiguration[];
  private nextTickAt: number;
  private tickTimer = -1;
  /** Levels the current objects ask for; any other level is only draining. */
  private desiredLevels: ReadonlySet<string>;

  constructor(
    private readonly sim: Simulation,
    private readonly options: ApfOptions,
  ) {
    this.id = options.id;
    this.serverConcurrencyLimit = options.maxRequestsInflight + options.maxMutatingRequestsInflight;
    this.legacy =
      options.mode === 'max-in-flight'
        ? new MaxInFlightFilter(options.maxRequestsInflight, options.maxMutatingRequestsInflight)
        : null;
    this.userFlowSchemas = options.flowSchemas;
    this.userPriorityLevels = options.priorityLevels;
    this.config = digestConfiguration(
      this.serverConcurrencyLimit,
      options.flowSchemas,
      options.priorityLevels,
    );
    this.desiredLevels = new Set(this.config.priorityLevelObjects.keys());
    this.logIgnored(this.config);
    this.classifier = createClassifier(this.config, this.generation);
    this.nextTickAt = sim.now + BORROWING_ADJUSTMENT_PERIOD;
    this.installLevels(this.config, false);
  }

  // ----- configuration -----------------------------------------------------------------------------

  private countersFor(name: string): LevelCounters {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = new LevelCounters();
      this.counters.set(name, c);
    }
    return c;
  }

  private readonly onRetryAfterRaised = (level: string, retryAfter: number): void => {
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'apf-retry-after-raised',
      severity: 'warning',
      message: `${this.id}: priority level ${level} now answers 429 with Retry-After ${retryAfter} s`,
    });
  };

  /**
   * Creates or updates the level objects for `config` (finishQueueSetReconfigsLocked): existing levels
   * keep their queues, virtual time and current limit; new ones start at NominalCL - LendableCL/2.
   * Then, as k8s does on every configuration change, the limits are re-allocated at once.
   */
  private installLevels(config: DigestedConfig, isFresh: boolean): void {
    const now = this.sim.now;
    const next: PriorityLevel[] = [];
    for (const spec of config.levels) {
      const existing = isFresh ? undefined : this.levelsByName.get(spec.name);
      if (existing !== undefined) {
        existing.reconfigure(now, spec);
        next.push(existing);
      } else {
        next.push(new PriorityLevel(this.sim, spec, this.countersFor(spec.name), this.onRetryAfterRaised));
      }
    }
    for (const level of this.levelList) if (!next.includes(level)) level.isDetached = true;
    this.levelsByName.clear();
    for (const level of next) this.levelsByName.set(level.name, level);
    this.levelList = next;
    this.adjustBorrowing(now);
  }

  private logIgnored(config: DigestedConfig): void {
    for (const why of config.ignored) {
      this.options.log.record({
        t: this.sim.now,
        cluster: this.options.cluster,
        kind: 'apf-config-ignored',
        severity: 'warning',
        message: `${this.id}: ignored ${why}`,
      });
    }
  }

  private digest(): DigestedConfig {
    // Levels no longer configured but still busy keep draining, with their share of seats (k8s quiescing).
    const desired = digestConfiguration(
      this.serverConcurrencyLimit,
      this.userFlowSchemas,
      this.userPriorityLevels,
    );
    this.desiredLevels = new Set(desired.priorityLevelObjects.keys());
    const draining: PriorityLevelConfiguration[] = [];
    for (const level of this.levelList) {
      const plc = this.config.priorityLevelObjects.get(level.name);
      if (!desired.priorityLevelObjects.has(level.name) && !level.isIdle && plc !== undefined)
        draining.push(plc);
    }
    if (draining.length === 0) return desired;
    return digestConfiguration(
      this.serverConcurrencyLimit,
      this.userFlowSchemas,
      this.userPriorityLevels,
      draining,
    );
  }

  applyConfiguration(
    flowSchemas: readonly FlowSchema[],
    priorityLevels: readonly PriorityLevelConfiguration[],
  ): void {
    this.catchUp(this.sim.now);
    this.userFlowSchemas = flowSchemas;
    this.userPriorityLevels = priorityLevels;
    this.config = this.digest();
    this.logIgnored(this.config);
    this.classifier = createClassifier(this.config, ++this.generation);
    this.installLevels(this.config, false);
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'apf-config-applied',
      severity: 'info',
      message: `${this.id}: ${this.config.flowSchemas.length} FlowSchemas, ${this.config.levels.length} priority levels`,
    });
    this.ensureTicking();
  }

  reset(): void {
    if (this.legacy !== null) {
      this.legacy.reset();
      return;
    }
    this.catchUp(this.sim.now);
    if (this.tickTimer !== -1) this.sim.cancel(this.tickTimer);
    this.tickTimer = -1;
    const old = this.levelList;
    // A restarted server starts from its configuration alone: fresh queues, R, Retry-After, demand.
    this.config = digestConfiguration(
      this.serverConcurrencyLimit,
      this.userFlowSchemas,
      this.userPriorityLevels,
    );
    this.desiredLevels = new Set(this.config.priorityLevelObjects.keys());
    this.classifier = createClassifier(this.config, ++this.generation);
    this.nextTickAt = this.sim.now + BORROWING_ADJUSTMENT_PERIOD;
    this.installLevels(this.config, true);
    for (const level of old) level.cancelAll();
  }

  // ----- borrowing --------------------------------------------------------------------------------

  /** updateBorrowingLocked: per-period demand statistics, then a fair allocation of the nominal sum. */
  private adjustBorrowing(at: number): void {
    const levels = this.levelList;
    const items: AllocationItem[] = [];
    for (const level of levels) {
      level.stats.update(level.integrator.reset(at));
      const spec = level.spec;
      const lowerBound = Math.max(spec.minCL, Math.min(spec.nominalCL, level.stats.highWatermark));
      items.push({ lowerBound, upperBound: spec.maxCL, target: Math.max(lowerBound, level.stats.smoothed) });
    }
    const allocations = computeAllocation(this.config.nominalCLSum, items);
    if (allocations === null) return;
    levels.forEach((level, i) => {
      level.setConcurrencyLimit(at, Math.round(allocations[i]!));
    });
  }

  tick(): void {
    this.tickTimer = -1;
    const at = this.nextTickAt;
    this.nextTickAt += BORROWING_ADJUSTMENT_PERIOD;
    this.adjustBorrowing(at);
    this.reapDrainedLevels();
    if (!this.isIdle()) this.tickTimer = this.sim.scheduleAt(this.nextTickAt, onBorrowingTick, this);
  }

  private isIdle(): boolean {
    for (const level of this.levelList) if (!level.isIdle) return false;
    return true;
  }

  /** Replays adjustments missed while idle (only ever called with no timer pending). */
  private catchUp(now: number): void {
    if (this.tickTimer !== -1 || this.legacy !== null) return;
    while (this.nextTickAt <= now) {
      const at = this.nextTickAt;
      this.nextTickAt += BORROWING_ADJUSTMENT_PERIOD;
      this.adjustBorrowing(at);
    }
    this.reapDrainedLevels();
  }

  private ensureTicking(): void {
    if (this.tickTimer !== -1 || this.legacy !== null) return;
    this.catchUp(this.sim.now);
    this.tickTimer = this.sim.scheduleAt(this.nextTickAt, onBorrowingTick, this);
  }

  private reapDrainedLevels(): void {
    for (const level of this.levelList) {
      if (level.isIdle && !this.desiredLevels.has(level.name)) {
        this.config = this.digest();
        this.classifier = createClassifier(this.config, ++this.generation);
        this.installLevels(this.config, false);
        return;
      }
    }
  }

  // ----- requests ---------------------------------------------------------------------------------

  classify(request: ApiRequest): Classification {
    return this.classifier.classify(request);
  }

  estimateWork(request: ApiRequest, c: Classification, input: WorkInput): WorkEstimate {
    return estimateWork(request, input, this.levelOf(c).spec.maxSeats);
  }

  /** The level a classification points at; cached on the flow (a flow never outlives its level). */
  private levelOf(c: Classification): PriorityLevel {
    const flow = c as FlowClassification;
    if (flow.generation === this.generation && flow.level !== null) return flow.level as PriorityLevel;
    const level = this.levelsByName.get(c.priorityLevel) ?? this.levelsByName.get('catch-all')!;
    if (flow.generation === this.generation) flow.level = level;
    return level;
  }

  handle(
    request: ApiRequest,
    c: Classification,
    work: WorkEstimate,
    queueWaitLimit: number,
    dispatch: DispatchCallback,
    reject: RejectCallback,
  ): void {
    this.admit(request, c, work, queueWaitLimit, new CallbackRequest(dispatch, reject));
  }

  admit(
    request: ApiRequest,
    c: Classification,
    work: WorkEstimate,
    queueWaitLimit: number,
    ticket: ApfRequest,
  ): void {
    const count = request.count ?? 1;
    if (this.legacy !== null) {
      this.legacy.handle(
        request,
        count,
        (release) => {
          ticket.legacyRelease = release;
          ticket.apfDispatched();
        },
        (reason, retryAfter) => ticket.apfRejected(reason, retryAfter),
      );
      return;
    }
    if (this.tickTimer === -1) this.ensureTicking();
    let flow = c as FlowClassification;
    // A classification from before a reconfiguration (or not made by classify) is redone.
    if (flow.generation !== this.generation) flow = this.classifier.classify(request);
    const level = this.levelOf(flow);
    level.handle(
      flow,
      ticket,
      count,
      work.initialSeats,
      work.finalSeats,
      work.additionalLatency,
      queueWaitLimit,
    );
  }

  get executingSeats(): number {
    if (this.legacy !== null) return this.legacy.readOnlyInFlight + this.legacy.mutatingInFlight;
    let seats = 0;
    for (const level of this.levelList) seats += level.seatsInUse;
    return seats;
  }

  get queuedRequests(): number {
    if (this.legacy !== null) return 0;
    let queued = 0;
    for (const level of this.levelList) queued += level.waitingRequests;
    return queued;
  }

  levels(): readonly LevelSnapshot[] {
    this.catchUp(this.sim.now);
    return this.levelList.map((level) => ({
      name: level.name,
      kind: level.spec.kind,
      nominalCL: level.spec.nominalCL,
      lendableCL: level.spec.lendableCL,
      minCL: level.spec.minCL,
      maxCL: level.spec.maxCL,
      currentCL: level.currentCL,
      maxSeats: level.spec.maxSeats,
      seatsInUse: level.seatsInUse,
      executingRequests: level.executingRequests,
      waitingRequests: level.waitingRequests,
      retryAfter: level.dropped.retryAfter,
      smoothedDemand: level.stats.smoothed,
    }));
  }

  // ----- declarations -----------------------------------------------------------------------------

  /**
   * One series per configured level (all bootstrap levels plus user levels present when this is
   * called), only the reasons a level can produce: queuing levels queue-full and time-out, the Reject
   * level concurrency-limit, the exempt level none. 'cancelled' (replica restart) is not a series.
   */
  metrics(): readonly MetricDeclaration[] {
    const base = { cluster: this.options.cluster, instance: this.id };
    if (this.legacy !== null) {
      const legacy = this.legacy;
      return [
        {
          name: 'apiserver_current_inflight_requests',
          labels: { ...base, request_kind: 'readOnly' },
          unit: 'requests',
          help: 'Read-only requests holding a max-in-flight slot.',
          read: () => legacy.readOnlyInFlight,
        },
        {
          name: 'apiserver_current_inflight_requests',
          labels: { ...base, request_kind: 'mutating' },
          unit: 'requests',
          help: 'Mutating requests holding a max-in-flight slot.',
          read: () => legacy.mutatingInFlight,
        },
        {
          name: 'apiserver_dropped_requests_total',
          labels: { ...base, request_kind: 'readOnly' },
          unit: 'requests',
          help: 'Read-only requests answered 429 by the max-in-flight filter (cumulative).',
          read: () => legacy.readOnlyDropped,
        },
        {
          name: 'apiserver_dropped_requests_total',
          labels: { ...base, request_kind: 'mutating' },
          unit: 'requests',
          help: 'Mutating requests answered 429 by the max-in-flight filter (cumulative).',
          read: () => legacy.mutatingDropped,
        },
      ];
    }
    const out: MetricDeclaration[] = [];
    const byName = this.levelsByName;
    for (const level of this.levelList) {
      const name = level.name;
      const kind = level.spec.kind;
      const labels = { ...base, priority_level: name };
      const counters = this.countersFor(name);
      out.push({
        name: 'apiserver_flowcontrol_current_executing_seats',
        labels,
        unit: 'seats',
        help: 'Seats occupied by executing requests, including final seats held for additional latency.',
        read: () => byName.get(name)?.seatsInUse ?? 0,
      });
      out.push({
        name: 'apiserver_flowcontrol_dispatched_requests_total',
        labels,
        unit: 'requests',
        help: 'Requests that started executing (cumulative).',
        read: () => counters.dispatched,
      });
      if (kind === 'exempt') continue;
      out.push({
        name: 'apiserver_flowcontrol_current_limit_seats',
        labels,
        unit: 'seats',
        help: 'Current concurrency limit of the level after borrowing.',
        read: () => {
          this.catchUp(this.sim.now);
          return byName.get(name)?.currentCL ?? 0;
        },
      });
      if (kind === 'queue') {
        out.push({
          name: 'apiserver_flowcontrol_current_inqueue_requests',
          labels,
          unit: 'requests',
          help: 'Requests waiting in the level’s queues.',
          read: () => byName.get(name)?.waitingRequests ?? 0,
        });
        out.push({
          name: 'apiserver_flowcontrol_rejected_requests_total',
          labels: { ...labels, reason: 'queue-full' },
          unit: 'requests',
          help: 'Requests rejected because the level was at its limit and the chosen queue full (cumulative).',
          read: () => counters.queueFull,
        });
        out.push({
          name: 'apiserver_flowcontrol_rejected_requests_total',
          labels: { ...labels, reason: 'time-out' },
          unit: 'requests',
          help: 'Requests rejected when their queue-wait limit expired (cumulative).',
          read: () => counters.timeOut,
        });
      } else {
        out.push({
          name: 'apiserver_flowcontrol_rejected_requests_total',
          labels: { ...labels, reason: 'concurrency-limit' },
          unit: 'requests',
          help: 'Requests rejected by a level without queues (cumulative).',
          read: () => counters.concurrencyLimit,
        });
      }
    }
    return out;
  }

  parameters(): readonly ParameterDeclaration[] {
    const server = 'kubernetes/apiserver@v0.31.0:pkg/server/config.go (NewConfig defaults)';
    return [
      ...APF_PARAMETERS,
      {
        name: `${this.id}.maxRequestsInflight`,
        value: this.options.maxRequestsInflight,
        unit: 'requests',
        source: `${server}; default ${DEFAULT_MAX_REQUESTS_INFLIGHT}`,
      },
      {
        name: `${this.id}.maxMutatingRequestsInflight`,
        value: this.options.maxMutatingRequestsInflight,
        unit: 'requests',
        source: `${server}; default ${DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT}`,
      },
      {
        name: `${this.id}.admission`,
        value: this.options.mode,
        unit: 'mode',
        source:
          'kubernetes/apiserver@v0.31.0:pkg/server/options/feature.go (--enable-priority-and-fairness=true)',
      },
    ];
  }
}

export function createApfFilter(sim: Simulation, options: ApfOptions): ApfFilter & ApfInspection {
  return new ApfFilterImpl(sim, options);
}
