import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { ApiRequest, RejectReason } from '../api-types.js';
import type { Component, EventLog } from '../component.js';
import type { ApfRequest } from './priority-level.js';
import type { WorkEstimate, WorkInput } from './work-estimator.js';

export interface Classification {
  readonly flowSchema: string;
  readonly priorityLevel: string;
  /** FlowSchema name, plus "/" and the distinguisher (user or namespace) when the level has queues. */
  readonly flowKey: string;
  readonly isExempt: boolean;
}

export interface ApfFilter extends Component {
  classify(request: ApiRequest): Classification;
  estimateWork(request: ApiRequest, c: Classification, input: WorkInput): WorkEstimate;
  /**
   * Queues or dispatches; exactly one callback fires, possibly synchronously. `queueWaitLimit` in seconds
   * (see requestWaitLimit). `work` is one request's estimate; a cohort (request.count = n) is scaled here.
   * Seats (max of initial and final) are held from dispatch until `release()` plus the additional latency.
   */
  handle(
    request: ApiRequest,
    c: Classification,
    work: WorkEstimate,
    queueWaitLimit: number,
    dispatch: (release: () => void) => void,
    reject: (reason: RejectReason, retryAfterSeconds: number) => void,
  ): void;
  /**
   * handle() for a caller that extends ApfRequest (the API server's call record): the filter answers
   * through its methods, allocating nothing per request. `ticket` is fresh (never handled before).
   */
  admit(
    request: ApiRequest,
    c: Classification,
    work: WorkEstimate,
    queueWaitLimit: number,
    ticket: ApfRequest,
  ): void;
  /** Replace user objects (merged over the bootstrap set; mandatory exempt/catch-all always present). */
  applyConfiguration(
    flowSchemas: readonly FlowSchema[],
    priorityLevels: readonly PriorityLevelConfiguration[],
  ): void;
  /** The replica died: every queued request is rejected 'cancelled' (caller treats as connection reset), seats cleared. */
  reset(): void;
  /** Seats in use (all levels, exempt included) and requests queued, for health/saturation signals. */
  readonly executingSeats: number;
  readonly queuedRequests: number;
}

export interface ApfOptions {
  /** Replica id, used in metric labels. */
  readonly id: string;
  readonly cluster: string;
  readonly log: EventLog;
  readonly mode: 'apf' | 'max-in-flight';
  readonly maxRequestsInflight: number;
  readonly maxMutatingRequestsInflight: number;
  readonly flowSchemas: readonly FlowSchema[];
  readonly priorityLevels: readonly PriorityLevelConfiguration[];
}
