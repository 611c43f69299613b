/**
 * The legacy admission filter used when APF is disabled.
 *
 * Source: apiserver@v0.31.0 pkg/server/filters/maxinflight.go. Two non-blocking semaphores, one for
 * read-only verbs (get, list, watch) of size --max-requests-inflight and one for mutating verbs of size
 * --max-mutating-requests-inflight (0 = unlimited). A full semaphore answers 429 with Retry-After 1
 * at once, except for members of system:masters, who are served anyway. Long-running requests
 * (watch) bypass the filter. A cohort takes `count` slots and is admitted only if all of them fit.
 */
import type { ApiRequest } from '../api-types.js';
import { LEGACY_RETRY_AFTER } from './parameters.js';
import type { DispatchCallback, RejectCallback } from './priority-level.js';

const NOOP = (): void => {};

export class MaxInFlightFilter {
  readOnlyInFlight = 0;
  mutatingInFlight = 0;
  readOnlyDropped = 0;
  mutatingDropped = 0;
  /** Bumped on replica restart: releases of requests admitted before are ignored. */
  private epoch = 0;

  constructor(
    readonly maxReadOnly: number,
    readonly maxMutating: number,
  ) {}

  handle(request: ApiRequest, count: number, onDispatch: DispatchCallback, onReject: RejectCallback): void {
    const verb = request.verb;
    if (verb === 'watch') {
      onDispatch(NOOP);
      return;
    }
    const isMutating = verb !== 'get' && verb !== 'list';
    const limit = isMutating ? this.maxMutating : this.maxReadOnly;
    if (limit === 0) {
      onDispatch(NOOP);
      return;
    }
    const inFlight = isMutating ? this.mutatingInFlight : this.readOnlyInFlight;
    if (inFlight + count <= limit) {
      if (isMutating) this.mutatingInFlight += count;
      else this.readOnlyInFlight += count;
      const epoch = this.epoch;
      let isReleased = false;
      onDispatch(() => {
        if (isReleased || epoch !== this.epoch) return;
        isReleased = true;
        if (isMutating) this.mutatingInFlight -= count;
        else this.readOnlyInFlight -= count;
      });
      return;
    }
    if (request.identity.groups.includes('system:masters')) {
      onDispatch(NOOP);
      return;
    }
    if (isMutating) this.mutatingDropped += count;
    else this.readOnlyDropped += count;
    onReject('concurrency-limit', LEGACY_RETRY_AFTER);
  }

  reset(): void {
    this.epoch++;
    this.readOnlyInFlight = 0;
    this.mutatingInFlight = 0;
  }
}
