/**
 * Where a request is served: the watch cache or etcd, by verb, resourceVersion semantics, version
 * rules and whether the resource's watch cache is initialised (k8s-mechanics §3.1, §1).
 *
 * Source: apiserver@v0.31.0 pkg/storage/cacher/cacher.go shouldDelegateList and
 * shouldDelegateListOnNotReadyCache (1.31), and KEP-4568 for the behaviour before 1.31.
 */
import { type Seconds, seconds } from '../../engine/index.js';
import type { ApiOutcome, ApiRequest, Identity, ResourceVersionMode, Scope, Verb } from '../api-types.js';
import type { VersionRules } from './version.js';

export type ServePath =
  /** LIST/GET answered from the watch cache at once. */
  | 'cache'
  /** Consistent LIST (RV="") from the cache after it has caught up with etcd (1.31+). */
  | 'cache-consistent'
  /** LIST with RV=X (not older than): from the cache once it has reached X. */
  | 'cache-not-older-than'
  | 'etcd'
  /** 429 "storage is (re)initializing", Retry-After 1 (1.31+ while the cache is not ready). */
  | 'reject-initializing'
  /** Waits, holding its seats, until the cache is ready (before 1.31). */
  | 'hang'
  | 'write'
  | 'watch';

/**
 * Gets a request's outcome through a method. NOTE: for speed, where an ApiCallback would be a closure
 * per caller: calling a closure touches its function and context objects, two cache misses per
 * request on a 5,000-node cluster whose callers are cold.
 */
export interface OutcomeReceiver {
  receiveOutcome(outcome: ApiOutcome): void;
}

/** Learns that a write committed in etcd (see ServerRequestExtras.onCommit). */
export interface CommitListener {
  committed(count: number): void;
}

/** The reflector's relist from a known RV (RV=X, no limit); sim time of that RV. */
export interface ServerRequestExtras {
  readonly notOlderThan?: number;
  /** For WATCH: the sim time of the client's last synced RV (resume point). */
  readonly resumeFrom?: number;
  /** Called once when a write commits in etcd (even if the client already got a 504). */
  readonly onCommit?: (count: number) => void;
  /** onCommit as a method (no closure): called instead of it when set. */
  readonly commitListener?: CommitListener | null;
  /** identity.clientClass, copied so the server's hot path need not load the identity object. */
  readonly clientClass?: string;
}

/** The request's client class (ServerRequestExtras.clientClass when the request carries it). */
export function clientClassOf(request: ServerRequest): string {
  return request.clientClass ?? request.identity.clientClass;
}

export type ServerRequest = ApiRequest & ServerRequestExtras;

/** Whether an optional number field is set (the request factory uses NaN for "unset"). */
export function isSet(value: number | undefined): value is number {
  return value !== undefined && !Number.isNaN(value);
}

const NO_COMMIT = (_count: number): void => {};

/** What callers give makeRequest: the ApiRequest fields plus the server extras, all optional ones optional. */
export interface RequestSpec {
  readonly verb: Verb;
  readonly resource: string;
  readonly apiGroup: string;
  readonly scope: Scope;
  readonly identity: Identity;
  readonly namespace?: string;
  readonly rv?: ResourceVersionMode;
  readonly hasLabelSelector?: boolean;
  readonly hasFieldSelector?: boolean;
  readonly expectedReturned?: number;
  readonly limit?: number;
  /** Seconds; 0 = none. */
  readonly timeout?: number;
  readonly count?: number;
  readonly notOlderThan?: number;
  readonly resumeFrom?: number;
  readonly onCommit?: (count: number) => void;
  readonly commitListener?: CommitListener;
}

/** Request's classification memo slots (see Request), as the replicas read them. */
export interface ApfMemoSlots {
  apfToken0: object | null;
  apfClass0: object | null;
  apfToken1: object | null;
  apfClass1: object | null;
  apfToken2: object | null;
  apfClass2: object | null;
  apfMemo: unknown[] | null;
}

/**
 * NOTE: every in-cluster request is an instance of this one class, with every field present, so the
 * server's and the clients' hot paths read them through monomorphic property accesses (object
 * literals of varying shapes made those loads megamorphic and several times slower).
 */
class Request implements ServerRequest, ApfMemoSlots {
  // NOTE: fields in the order the hot path reads them: a write (a lease renewal) touches only the
  // first two cache lines of the object.
  verb: Verb;
  resource: string;
  count: number;
  timeout: Seconds;
  clientClass: string;
  commitListener: CommitListener | null;
  /**
   * Per-replica memo of the APF classification (see Replica.classify): token and classification of
   * replicas 0-2 inline (NOTE: fields, not an array: one object fewer to load per request), then
   * [token, classification] pairs for replicas 3 and up.
   */
  apfToken0: object | null = null;
  apfClass0: object | null = null;
  apfToken1: object | null = null;
  apfClass1: object | null = null;
  apfToken2: object | null = null;
  apfClass2: object | null = null;
  scope: Scope;
  rv: ResourceVersionMode;
  limit: number;
  hasFieldSelector: boolean;
  hasLabelSelector: boolean;
  notOlderThan: number;
  expectedReturned: number;
  namespace: string;
  apiGroup: string;
  identity: Identity;
  resumeFrom: number;
  onCommit: (count: number) => void;
  apfMemo: unknown[] | null = null;

  constructor(spec: RequestSpec) {
    this.verb = spec.verb;
    this.resource = spec.resource;
    this.count = spec.count ?? 1;
    this.timeout = seconds(spec.timeout ?? 0);
    this.clientClass = spec.identity.clientClass;
    this.commitListener = spec.commitListener ?? null;
    this.scope = spec.scope;
    this.rv = spec.rv ?? 'consistent';
    this.limit = spec.limit ?? 0;
    this.hasFieldSelector = spec.hasFieldSelector ?? false;
    this.hasLabelSelector = spec.hasLabelSelector ?? false;
    this.notOlderThan = spec.notOlderThan ?? Number.NaN;
    this.expectedReturned = spec.expectedReturned ?? 1;
    this.namespace = spec.namespace ?? '';
    this.apiGroup = spec.apiGroup;
    this.identity = spec.identity;
    this.resumeFrom = spec.resumeFrom ?? Number.NaN;
    this.onCommit = spec.onCommit ?? NO_COMMIT;
  }
}

/** A mutable request, for clients that update one object in place (see Request). */
export type MutableRequest = {
  -readonly [K in Exclude<keyof ServerRequest, FixedFields>]-?: NonNullable<ServerRequest[K]>;
} & { readonly identity: Identity };
/** Fixed at creation: clientClass is a copy of the identity's. */
type FixedFields = 'identity' | 'clientClass' | 'commitListener';

export function makeRequest(spec: RequestSpec): ServerRequest {
  return new Request(spec);
}

export function makeMutableRequest(spec: RequestSpec): MutableRequest {
  return new Request(spec);
}

export function isMutating(verb: ApiRequest['verb']): boolean {
  return verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete';
}

export function hasSelector(request: ApiRequest): boolean {
  return request.hasLabelSelector === true || request.hasFieldSelector === true;
}

export function servePath(request: ServerRequest, rules: VersionRules, isCacheReady: boolean): ServePath {
  switch (request.verb) {
    case 'create':
    case 'update':
    case 'patch':
    case 'delete':
      return 'write';
    case 'watch':
      if (isCacheReady) return 'watch';
      return rules.isResilientWatchCacheInit ? 'reject-initializing' : 'hang';
    case 'get':
      // RV="0" GETs are served from the cache; anything else is a quorum read. An unready cache
      // delegates GETs to etcd in every version (KEP-4568 "Delegate get requests to etcd").
      return request.rv === 'any' && isCacheReady ? 'cache' : 'etcd';
    case 'list':
      break;
  }
  const limit = request.limit ?? 0;
  const rv = request.rv ?? 'consistent';
  // Requests the cacher always delegates: continuations, exact RVs (also the legacy limit + RV=X form).
  if (rv === 'continue' || rv === 'exact') return 'etcd';
  const isNotOlderThan = isSet(request.notOlderThan);
  if (isNotOlderThan && limit > 0) return 'etcd';
  if (rv === 'consistent' && !isNotOlderThan && !rules.isConsistentListFromCache) return 'etcd';
  if (!isCacheReady) {
    if (rules.isResilientWatchCacheInit)
      return !hasSelector(request) && limit > 0 ? 'etcd' : 'reject-initializing';
    // Before 1.31: RV="0" is blindly delegated to etcd (limit honoured); RV=X waits for the cache.
    return isNotOlderThan ? 'hang' : 'etcd';
  }
  if (isNotOlderThan) return 'cache-not-older-than';
  return rv === 'consistent' ? 'cache-consistent' : 'cache';
}
