/**
 * A client-go shared informer (reflector + store) as other components see it: list, then watch,
 * relist on watch errors with the reflector's backoff. The implementation lives in reflector.ts.
 */
import type { ApiEndpoint, Identity } from '../api-types.js';
import type { EventLog } from '../component.js';
import type { ClientRateConfig } from '../config.js';
import type { Simulation } from '../../engine/index.js';

export interface InformerOptions {
  /** Component-unique name, also the random-stream name ("coredns-0/services"). */
  readonly name: string;
  readonly identity: Identity;
  /** Plural resource ("services", "endpointslices", "pods"). */
  readonly resource: string;
  readonly apiGroup: string;
  /** Objects a full LIST of this resource returns now (cluster shape changes it). */
  readonly objects: () => number;
  readonly client: ClientRateConfig;
  readonly log: EventLog;
  /** Cluster name for the event log. */
  readonly cluster: string;
}

export interface Informer {
  readonly hasSynced: boolean;
  readonly isWatching: boolean;
  /** Sim time of the API state this informer's cache reflects (frozen while the watch is down). */
  readonly syncedThrough: number;
  start(): void;
  /** Process dies: cache lost, hasSynced false. */
  stop(): void;
  onSynced(listener: () => void): void;
}

export type CreateInformer = (sim: Simulation, api: ApiEndpoint, options: InformerOptions) => Informer;
