/**
 * Cluster-wide request accounting: server-side latency with SLO semantics (from dispatch, so APF
 * queue wait is excluded), client-observed latency per logical call (queue wait, retries and
 * rate-limiter waits included), and counts by outcome, per 10 s window and in total.
 */
import type { ApiOutcome, Verb } from '../api-types.js';
import { LatencyStats } from './latency.js';

export const VERB_CLASSES = ['mutating', 'get', 'list'] as const;
export type VerbClass = (typeof VERB_CLASSES)[number];

/** 0 mutating, 1 get, 2 list, -1 watch (long-running: no latency SLO). */
export function verbClassIndex(verb: Verb): number {
  switch (verb) {
    case 'get':
      return 1;
    case 'list':
      return 2;
    case 'watch':
      return -1;
    default:
      return 0;
  }
}

/** Outcome kinds counted per window; `rejected` is 429 from APF / max-in-flight. */
export const OUTCOME_KINDS = ['ok', 'rejected', 'initializing', 'timeout', 'unreachable', 'gone'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

function kindIndex(kind: OutcomeKind): number {
  switch (kind) {
    case 'ok':
      return 0;
    case 'rejected':
      return 1;
    case 'initializing':
      return 2;
    case 'timeout':
      return 3;
    case 'unreachable':
      return 4;
    case 'gone':
      return 5;
  }
}

export function outcomeKind(outcome: ApiOutcome): OutcomeKind {
  switch (outcome.kind) {
    case 'ok':
      return 'ok';
    case 'throttled':
      return outcome.reason === 'initializing' ? 'initializing' : 'rejected';
    case 'timeout':
      return 'timeout';
    case 'unreachable':
      return 'unreachable';
    case 'gone':
      return 'gone';
  }
}

/** The cluster's own components: failures of their requests define saturation (docs/model.md). */
export const SYSTEM_CLIENT_CLASSES: ReadonlySet<string> = new Set([
  'kubelet',
  'kube-proxy',
  'controller-manager',
  'scheduler',
  'coredns',
]);

export class RequestStats {
  /** Responses to system components in the current / last window, and how many failed. */
  private systemResponses = 0;
  private systemFailures = 0;
  lastSystemResponses = 0;
  lastSystemFailures = 0;

  readonly server: LatencyStats[];
  readonly client: LatencyStats[];
  /** Counts of server responses by outcome kind: current window, last closed window, total. */
  private readonly window = new Float64Array(OUTCOME_KINDS.length);
  readonly lastWindow = new Float64Array(OUTCOME_KINDS.length);
  readonly total = new Float64Array(OUTCOME_KINDS.length);
  /** Client logical calls that ended in failure (after retries), current and last window. */
  private clientFailures = 0;
  private clientCalls = 0;
  lastClientFailures = 0;
  lastClientCalls = 0;
  private readonly serverP99 = [Number.NaN, Number.NaN, Number.NaN];
  private readonly clientP99 = [Number.NaN, Number.NaN, Number.NaN];
  private arrivedWindow = 0;
  lastArrived = 0;
  arrivedTotal = 0;
  /** Relists started by reflectors (informer LISTs after the first), current and last window. */
  private relists = 0;
  lastRelists = 0;
  relistsTotal = 0;

  /** Core-seconds charged per client class: API-server CPU and etcd CPU (cost attribution). */
  private readonly apiserverCostByClass = new Map<string, number>();
  readonly etcdCost = new Map<string, number>();

  /** NOTE: consecutive charges mostly come from one client class (kubelet leases): skip the Map then. */
  private lastChargedClass = '';
  private pendingCharge = 0;

  chargeApiserver(clientClass: string, coreSeconds: number): void {
    if (clientClass === this.lastChargedClass) {
      this.pendingCharge += coreSeconds;
      return;
    }
    this.flushCharge();
    this.lastChargedClass = clientClass;
    this.pendingCharge = coreSeconds;
  }

  private flushCharge(): void {
    if (this.pendingCharge === 0) return;
    const c = this.lastChargedClass;
    this.apiserverCostByClass.set(c, (this.apiserverCostByClass.get(c) ?? 0) + this.pendingCharge);
    this.pendingCharge = 0;
  }

  /** API-server core-seconds charged per client class so far. */
  get apiserverCost(): ReadonlyMap<string, number> {
    this.flushCharge();
    return this.apiserverCostByClass;
  }

  chargeEtcd(clientClass: string, coreSeconds: number): void {
    this.etcdCost.set(clientClass, (this.etcdCost.get(clientClass) ?? 0) + coreSeconds);
  }

  constructor(readonly windowSeconds: number) {
    const perMinute = Math.max(1, Math.round(60 / windowSeconds));
    this.server = VERB_CLASSES.map(() => new LatencyStats(perMinute));
    this.client = VERB_CLASSES.map(() => new LatencyStats(perMinute));
  }

  arrived(count: number): void {
    this.arrivedWindow += count;
    this.arrivedTotal += count;
  }

  private lastClass = '';
  private lastIsSystem = false;

  private isSystem(clientClass: string): boolean {
    if (clientClass !== this.lastClass) {
      this.lastClass = clientClass;
      this.lastIsSystem = SYSTEM_CLIENT_CLASSES.has(clientClass);
    }
    return this.lastIsSystem;
  }

  /** A response left a replica (or the load balancer). */
  responded(kind: OutcomeKind, count: number, clientClass?: string): void {
    const i = kindIndex(kind);
    this.window[i]! += count;
    this.total[i]! += count;
    if (clientClass !== undefined && this.isSystem(clientClass)) {
      this.systemResponses += count;
      // 429, 504 and resets; a 410 is part of normal watch resumption.
      if (i >= 1 && i <= 4) this.systemFailures += count;
    }
  }

  /** Server-side SLO latency: handler time, excluding the APF queue wait. */
  observeServer(verbClass: number, seconds: number, count: number): void {
    if (verbClass >= 0) this.server[verbClass]!.observe(seconds, count);
  }

  /** One logical client call finished after `seconds` (all attempts and waits). */
  observeClient(verbClass: number, seconds: number, count: number, isFailure: boolean): void {
    if (verbClass >= 0) this.client[verbClass]!.observe(seconds, count);
    this.clientCalls += count;
    if (isFailure) this.clientFailures += count;
  }

  relisted(count: number): void {
    this.relists += count;
    this.relistsTotal += count;
  }

  roll(): void {
    for (let i = 0; i < 3; i++) {
      this.serverP99[i] = this.server[i]!.roll();
      this.clientP99[i] = this.client[i]!.roll();
    }
    this.lastWindow.set(this.window);
    this.window.fill(0);
    this.lastArrived = this.arrivedWindow;
    this.arrivedWindow = 0;
    this.lastClientCalls = this.clientCalls;
    this.lastClientFailures = this.clientFailures;
    this.clientCalls = 0;
    this.clientFailures = 0;
    this.lastRelists = this.relists;
    this.relists = 0;
    this.lastSystemResponses = this.systemResponses;
    this.lastSystemFailures = this.systemFailures;
    this.systemResponses = 0;
    this.systemFailures = 0;
  }

  windowCount(kind: OutcomeKind): number {
    return this.lastWindow[kindIndex(kind)]!;
  }

  totalCount(kind: OutcomeKind): number {
    return this.total[kindIndex(kind)]!;
  }

  serverWindowP99(verbClass: number): number {
    return this.serverP99[verbClass]!;
  }

  clientWindowP99(verbClass: number): number {
    return this.clientP99[verbClass]!;
  }
}
