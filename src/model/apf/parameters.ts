/**
 * Every constant of the APF admission layer and the legacy max-in-flight filter, with its unit and its
 * source in Kubernetes v1.31 (`apiserver@v0.31.0`). None is fitted.
 */
import type { ParameterDeclaration } from '../component.js';
import { PLC_CATCH_ALL, SUGGESTED_PRIORITY_LEVELS } from './bootstrap.js';

/** G, the estimated service duration of one seat in fair queuing. queueset.go Complete(); seconds. */
export const ESTIMATED_SERVICE_DURATION = 0.003;
/** How often current concurrency limits are re-allocated (borrowing). apf_controller.go; seconds. */
export const BORROWING_ADJUSTMENT_PERIOD = 10;
/** Decay of smoothed seat demand per adjustment (half-life 5 min). apf_controller.go; dimensionless. */
export const SEAT_DEMAND_SMOOTHING = 0.977;
/** Share of NominalCL a single request may take (work-estimator maxSeats). apf_controller.go; fraction. */
export const PRIORITY_LEVEL_MAX_SEATS_PERCENT = 0.15;
/** request/config.go minimumSeats; seats. */
export const MINIMUM_SEATS = 1;
/** request/config.go maximumSeatsLimit (cap on any estimate in 1.31); seats. */
export const MAXIMUM_SEATS_LIMIT = 10;
/** request/config.go objectsPerSeat; objects per seat. */
export const OBJECTS_PER_SEAT = 100;
/** request/config.go watchesPerSeat; watchers per seat. */
export const WATCHES_PER_SEAT = 10;
/** request/config.go eventAdditionalDuration; seconds. */
export const EVENT_ADDITIONAL_DURATION = 0.005;
/** dropped_requests_tracker.go maxRetryAfter; seconds. */
export const MAX_RETRY_AFTER = 32;
/** dropped_requests_tracker.go newDroppedRequestsStats: the first Retry-After; seconds. */
export const INITIAL_RETRY_AFTER = 1;
/** maxinflight.go retryAfter = "1"; seconds. */
export const LEGACY_RETRY_AFTER = 1;
/** priority-and-fairness.go getRequestWaitContext: hard cap on any queue wait; seconds. */
export const MAX_QUEUE_WAIT = 60;
/** server/config.go --request-timeout default; seconds. Used by requestWaitLimit() when a request has no deadline. */
export const DEFAULT_REQUEST_TIMEOUT = 60;
/** server/config.go --max-requests-inflight default; requests (seats with APF). */
export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
/** server/config.go --max-mutating-requests-inflight default; requests (seats with APF). */
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;

/**
 * API defaults for fields a user object leaves out (nil, or 0 for the queuing fields and the
 * precedence): kubernetes/kubernetes@v1.31.0 pkg/apis/flowcontrol/v1/defaults.go.
 */
export const DEFAULT_NOMINAL_CONCURRENCY_SHARES = 30;
export const DEFAULT_QUEUES = 64;
export const DEFAULT_HAND_SIZE = 8;
export const DEFAULT_QUEUE_LENGTH_LIMIT = 50;
export const DEFAULT_MATCHING_PRECEDENCE = 1000;

const BASE = 'kubernetes/apiserver@v0.31.0:';
const BOOTSTRAP = `${BASE}pkg/apis/flowcontrol/bootstrap/default.go`;
const DEFAULTS = 'kubernetes/kubernetes@v1.31.0:pkg/apis/flowcontrol/v1/defaults.go';

/** The bootstrap levels' settings, read from the objects themselves so the two cannot drift. */
function bootstrapParameters(): ParameterDeclaration[] {
  const out: ParameterDeclaration[] = [];
  for (const plc of [PLC_CATCH_ALL, ...SUGGESTED_PRIORITY_LEVELS]) {
    const name = plc.metadata?.name ?? '';
    const limited = plc.spec?.limited;
    if (limited === undefined) continue;
    const prefix = `apf.bootstrap.${name}`;
    out.push(
      {
        name: `${prefix}.nominalConcurrencyShares`,
        value: limited.nominalConcurrencyShares ?? 0,
        unit: 'shares',
        source: BOOTSTRAP,
      },
      {
        name: `${prefix}.lendablePercent`,
        value: limited.lendablePercent ?? 0,
        unit: 'percent',
        source: BOOTSTRAP,
      },
    );
    const queuing = limited.limitResponse?.queuing;
    if (queuing !== undefined) {
      out.push(
        { name: `${prefix}.queues`, value: queuing.queues ?? 0, unit: 'queues', source: BOOTSTRAP },
        { name: `${prefix}.handSize`, value: queuing.handSize ?? 0, unit: 'queues', source: BOOTSTRAP },
        {
          name: `${prefix}.queueLengthLimit`,
          value: queuing.queueLengthLimit ?? 0,
          unit: 'requests',
          source: BOOTSTRAP,
        },
      );
    }
  }
  return out;
}

export const APF_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'apf.estimatedServiceDuration',
    value: ESTIMATED_SERVICE_DURATION,
    unit: 'seconds',
    source: `${BASE}pkg/util/flowcontrol/fairqueuing/queueset/queueset.go (estimatedServiceDuration, G)`,
  },
  {
    name: 'apf.borrowingAdjustmentPeriod',
    value: BORROWING_ADJUSTMENT_PERIOD,
    unit: 'seconds',
    source: `${BASE}pkg/util/flowcontrol/apf_controller.go (borrowingAdjustmentPeriod)`,
  },
  {
    name: 'apf.seatDemandSmoothingCoefficient',
    value: SEAT_DEMAND_SMOOTHING,
    unit: 'dimensionless',
    source: `${BASE}pkg/util/flowcontrol/apf_controller.go (seatDemandSmoothingCoefficient)`,
  },
  {
    name: 'apf.priorityLevelMaxSeatsPercent',
    value: PRIORITY_LEVEL_MAX_SEATS_PERCENT,
    unit: 'fraction of NominalCL',
    source: `${BASE}pkg/util/flowcontrol/apf_controller.go (priorityLevelMaxSeatsPercent)`,
  },
  {
    name: 'apf.minimumSeats',
    value: MINIMUM_SEATS,
    unit: 'seats',
    source: `${BASE}pkg/util/flowcontrol/request/config.go`,
  },
  {
    name: 'apf.maximumSeatsLimit',
    value: MAXIMUM_SEATS_LIMIT,
    unit: 'seats',
    source: `${BASE}pkg/util/flowcontrol/request/config.go`,
  },
  {
    name: 'apf.objectsPerSeat',
    value: OBJECTS_PER_SEAT,
    unit: 'objects/seat',
    source: `${BASE}pkg/util/flowcontrol/request/config.go`,
  },
  {
    name: 'apf.watchesPerSeat',
    value: WATCHES_PER_SEAT,
    unit: 'watchers/seat',
    source: `${BASE}pkg/util/flowcontrol/request/config.go`,
  },
  {
    name: 'apf.eventAdditionalDuration',
    value: EVENT_ADDITIONAL_DURATION,
    unit: 'seconds',
    source: `${BASE}pkg/util/flowcontrol/request/config.go`,
  },
  {
    name: 'apf.maxRetryAfter',
    value: MAX_RETRY_AFTER,
    unit: 'seconds',
    source: `${BASE}pkg/util/flowcontrol/dropped_requests_tracker.go (maxRetryAfter)`,
  },
  {
    name: 'apf.initialRetryAfter',
    value: INITIAL_RETRY_AFTER,
    unit: 'seconds',
    source: `${BASE}pkg/util/flowcontrol/dropped_requests_tracker.go (newDroppedRequestsStats)`,
  },
  {
    name: 'apf.maxQueueWait',
    value: MAX_QUEUE_WAIT,
    unit: 'seconds',
    source: `${BASE}pkg/server/filters/priority-and-fairness.go (getRequestWaitContext: at most 1 min)`,
  },
  {
    name: 'maxInFlight.retryAfter',
    value: LEGACY_RETRY_AFTER,
    unit: 'seconds',
    source: `${BASE}pkg/server/filters/maxinflight.go (retryAfter = "1")`,
  },
  {
    name: 'apf.default.nominalConcurrencyShares',
    value: DEFAULT_NOMINAL_CONCURRENCY_SHARES,
    unit: 'shares',
    source: DEFAULTS,
  },
  { name: 'apf.default.queues', value: DEFAULT_QUEUES, unit: 'queues', source: DEFAULTS },
  { name: 'apf.default.handSize', value: DEFAULT_HAND_SIZE, unit: 'queues', source: DEFAULTS },
  {
    name: 'apf.default.queueLengthLimit',
    value: DEFAULT_QUEUE_LENGTH_LIMIT,
    unit: 'requests',
    source: DEFAULTS,
  },
  {
    name: 'apf.default.matchingPrecedence',
    value: DEFAULT_MATCHING_PRECEDENCE,
    unit: 'precedence',
    source: DEFAULTS,
  },
  ...bootstrapParameters(),
];

/**
 * How long a request may wait in its APF queue: a quarter of its remaining deadline, or a quarter of
 * --request-timeout when it has none (watches), never more than a minute (getRequestWaitContext).
 * Seconds in, seconds out.
 */
export function requestWaitLimit(
  deadline: number | undefined,
  requestTimeout = DEFAULT_REQUEST_TIMEOUT,
): number {
  const limit = deadline === undefined ? requestTimeout / 4 : deadline / 4;
  return Math.min(limit, MAX_QUEUE_WAIT);
}
