/**
 * Where a request is served: the watch cache or etcd, by verb, resourceVersion semantics, version
 * rules and whether the resource's watch cache is initialised (k8s-mechanics §3.1, §1).
 *
 * Source: apiserver@v0.31.0 pkg/storage/cacher/cacher.go shouldDelegateList and
 * shouldDelegateListOnNotReadyCache (1.31), and KEP-4568 for the behaviour before 1.31.
 */
import { type Seconds, seconds } from '../../engine/index.js';
import type { ApiRequest, Identity, ResourceVersionMode, Scope, Verb } from '../api-types.js';
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

/** The reflector's relist from a known RV (RV=X, no limit); sim time of that RV. */
export interface ServerRequestExtras {
  readonly notOlderThan?: number;
  /** For WATCH: the sim time of the client's last synced RV (resume point). */
  readonly resumeFrom?: number;
  /** Called once when a write commits in etcd (even if the client already got a 504). */
  readonly onCommit?: (count: number) => void;
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
}

/**
 * NOTE: every in-cluster request is an instance of this one class, with every field present, so the
 * server's and the clients' hot paths read them through monomorphic property accesses (object
 * literals of varying shapes made those loads megamorphic and several times slower).
 */
class Request implements ServerRequest {
  verb: Verb;
  resource: string;
  apiGroup: string;
  scope: Scope;
  namespace: string;
  identity: Identity;
  rv: ResourceVersionMode;
  hasLabelSelector: boolean;
  hasFieldSelector: boolean;
  expectedReturned: number;
  limit: number;
  timeout: Seconds;
  count: number;
  notOlderThan: number;
  resumeFrom: number;
  onCommit: (count: number) => void;
  /** Per-replica memo of the APF classification (see Replica.classify): [token, classification] pairs. */
  apfMemo: unknown[] | null = null;

  constructor(spec: RequestSpec) {
    this.verb = spec.verb;
    this.resource = spec.resource;
    this.apiGroup = spec.apiGroup;
    this.scope = spec.scope;
    this.namespace = spec.namespace ?? '';
    this.identity = spec.identity;
    this.rv = spec.rv ?? 'consistent';
    this.hasLabelSelector = spec.hasLabelSelector ?? false;
    this.hasFieldSelector = spec.hasFieldSelector ?? false;
    this.expectedReturned = spec.expectedReturned ?? 1;
    this.limit = spec.limit ?? 0;
    this.timeout = seconds(spec.timeout ?? 0);
    this.count = spec.count ?? 1;
    this.notOlderThan = spec.notOlderThan ?? Number.NaN;
    this.resumeFrom = spec.resumeFrom ?? Number.NaN;
    this.onCommit = spec.onCommit ?? NO_COMMIT;
  }
}

/** A mutable request, for clients that update one object in place (see Request). */
export type MutableRequest = { -readonly [K in keyof ServerRequest]-?: NonNullable<ServerRequest[K]> };

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
