/**
 * Seats per request (1.31 work estimator).
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/request/{width.go,list_work_estimator.go,
 * mutating_work_estimator.go}. LIST: one seat per 100 objects the server processes, clamped to
 * [1, maxSeats]; WATCH (without sendInitialEvents, off in 1.31) and GET: 1 seat; mutating: 1 seat plus
 * watch fan-out seats held for an additional latency once 10 or more watchers are interested.
 */
import type { ApiRequest } from '../api-types.js';
import {
  EVENT_ADDITIONAL_DURATION,
  MAXIMUM_SEATS_LIMIT,
  MINIMUM_SEATS,
  OBJECTS_PER_SEAT,
  WATCHES_PER_SEAT,
} from './parameters.js';

export interface WorkEstimate {
  readonly initialSeats: number;
  readonly finalSeats: number;
  /** Seconds the final seats stay held after the handler finishes. */
  readonly additionalLatency: number;
}

export interface WorkInput {
  /** Objects of the resource in storage (object-count tracker); negative when unknown (aggregated API). */
  readonly numStored: number;
  /** Whether this LIST is served from the watch cache. */
  readonly servedFromCache: boolean;
  /** Watchers interested in the object a mutating request changes. */
  readonly watchers: number;
}

/** Frozen single-phase estimates, so the common cases allocate nothing. */
const PLAIN: readonly WorkEstimate[] = Array.from({ length: MAXIMUM_SEATS_LIMIT + 1 }, (_, seats) =>
  Object.freeze({ initialSeats: seats, finalSeats: 0, additionalLatency: 0 }),
);

function plain(seats: number): WorkEstimate {
  return PLAIN[seats] ?? { initialSeats: seats, finalSeats: 0, additionalLatency: 0 };
}

/**
 * `levelMaxSeats` is the level's MaxSeatsTracker value (0 when the level does not queue); the estimator
 * falls back to, and never exceeds, maximumSeatsLimit = 10.
 */
export function estimateWork(request: ApiRequest, input: WorkInput, levelMaxSeats: number): WorkEstimate {
  const maxSeats =
    levelMaxSeats === 0 || levelMaxSeats > MAXIMUM_SEATS_LIMIT ? MAXIMUM_SEATS_LIMIT : levelMaxSeats;
  switch (request.verb) {
    case 'list': {
      // A LIST for one named object (metadata.name field selector) runs as a GET in storage.
      if (request.scope === 'resource') return plain(MINIMUM_SEATS);
      const numStored = input.numStored;
      if (numStored < 0) return plain(MINIMUM_SEATS);
      const requested = request.limit ?? 0;
      const limit = requested > 0 && requested < numStored ? requested : numStored;
      let processed: number;
      if (input.servedFromCache) processed = numStored;
      else if (request.hasLabelSelector === true || request.hasFieldSelector === true)
        processed = numStored + limit;
      else processed = 2 * limit;
      const seats = Math.ceil(processed / OBJECTS_PER_SEAT);
      return plain(Math.max(MINIMUM_SEATS, Math.min(maxSeats, seats)));
    }
    case 'create':
    case 'update':
    case 'patch':
    case 'delete': {
      // serviceaccounts/token produces no watch event (isRequestExemptFromWatchEvents).
      if (request.resource === 'serviceaccounts/token') return plain(1);
      const watchers = input.watchers;
      if (watchers < WATCHES_PER_SEAT) return plain(1);
      const fanOutSeats = Math.ceil(watchers / WATCHES_PER_SEAT);
      const finalSeats = Math.min(fanOutSeats, maxSeats);
      // finalWork = fanOutSeats * 5 ms seat-seconds, reshaped into finalSeats wide.
      return {
        initialSeats: 1,
        finalSeats,
        additionalLatency: (fanOutSeats * EVENT_ADDITIONAL_DURATION) / finalSeats,
      };
    }
    default:
      return plain(MINIMUM_SEATS);
  }
}
