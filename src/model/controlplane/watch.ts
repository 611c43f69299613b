/**
 * One client watch, from the load balancer's handle to the replica that serves it. The object is
 * both the client's WatchHandle and the replica's registration record (one allocation per watch).
 */
import type { WatchHandle, WatchHandlers } from '../api-types.js';
import type { ResourceInfo } from './object-store.js';
import type { ServerRequest } from './serving.js';

export type WatchCloseReason = Parameters<WatchHandlers['onClosed']>[0];

/** What a replica exposes to its watches. */
export interface WatchHost {
  /** Sim time of the state the replica's watch cache has reached (now - lag). */
  readonly cacheTime: number;
  removeWatch(watch: ClusterWatch): void;
}

export class ClusterWatch implements WatchHandle {
  isOpen = false;
  /** The client closed it (or gave up) before or after it opened. */
  isCancelled = false;
  host: WatchHost | null = null;
  /** Slot in the host's watch array, or -1. */
  slot = -1;
  timer = -1;
  openedAt = 0;
  /** Frozen once closed: the cache time the client had reached. */
  private closedThrough = Number.NEGATIVE_INFINITY;

  constructor(
    readonly request: ServerRequest,
    readonly handlers: WatchHandlers,
    readonly resource: ResourceInfo,
    /** Watches this one stands for (cohorts). */
    readonly weight: number,
    /** Dispatched only for events of one node (field selector on an indexed resource). */
    readonly isNodeIndexed: boolean,
  ) {}

  /** Sim time of the API state the client has seen through this watch. */
  get syncedThrough(): number {
    return this.host !== null ? this.host.cacheTime : this.closedThrough;
  }

  /** Detach from the host, remembering how far the client got. */
  detach(): void {
    if (this.host !== null) this.closedThrough = this.host.cacheTime;
    this.host = null;
    this.isOpen = false;
  }

  close(): void {
    this.isCancelled = true;
    if (this.host !== null) this.host.removeWatch(this);
    this.isOpen = false;
  }
}
