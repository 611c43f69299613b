/**
 * The data plane of one cluster: users -> services -> DNS -> endpoints, advanced once per second.
 *
 * A call from service s to dependency d succeeds when
 *   1. d's name resolves: app cache (JVM, connection pool) -> NodeLocal DNSCache -> kube-proxy ->
 *      a CoreDNS replica; each layer is a cache cohort (dns-cache.ts) or a replica (coredns.ts);
 *   2. the connection lands on a live pod: kube-proxy's (or, for headless services, CoreDNS's)
 *      view of d's endpoints, frozen at its informer's sync time (workloads.ts); a failed connection
 *      is retried on a new one (`requestAttempts`);
 *   3. d itself succeeds (its own calls, recursively).
 * A user request succeeds when the ingress hop reaches a live pod of the user-facing service and
 * that service succeeds. Availability is the user-request-weighted success fraction.
 *
 * Query volumes are huge, so DNS is fluid: per name a cohort of NodeLocal entries (one per node that
 * runs a caller), per (caller, name) a cohort of app-cache entries; CoreDNS replicas, pods and
 * endpoints are discrete. The CoreDNS cache plugin never changes a cluster-name answer here: a
 * running replica answers from its informers, a restarted one lost its cache with its process; it
 * only costs memory (the OOM threshold).
 */
import type { Simulation } from '../../engine/index.js';
import { createReflector } from '../client/reflector.js';
import type { SimulatedCluster } from '../cluster.js';
import type { ClusterHandle } from '../cluster-types.js';
import type { Component, MetricDeclaration, ParameterDeclaration } from '../component.js';
import type { DataPlaneConfig, ServiceConfig } from '../config.js';
import { CoreDns, type InformerFactory, type ReplicaAnswer, type WarmableInformer } from './coredns.js';
import { CacheCohort, type CohortStep, directLookup, type UpstreamOutcome } from './dns-cache.js';
import { KUBE_PROXY_CLIENT, KUBE_PROXY_IDENTITY } from './identities.js';
import {
  DATAPLANE_PARAMETERS,
  DEFAULT_API_INITIATED_CHURN_FRACTION,
  DEFAULT_BACKGROUND,
  DEFAULT_CONNECTION_LIFETIME,
  DEFAULT_REQUEST_ATTEMPTS,
  IMPACT_THRESHOLD,
  JVM_NEGATIVE_TTL,
  JVM_POSITIVE_TTL,
  METRIC_WINDOW_SECONDS,
  NODELOCAL_SERVFAIL_TTL,
  SERVE_STALE_DEFAULT_DURATION,
  SERVICES_PER_NODE,
  STEP_SECONDS,
  SUMMARY_WINDOW_SECONDS,
} from './parameters.js';
import { VIEW_COREDNS, VIEW_KUBE_PROXY, type Workload, Workloads } from './workloads.js';

export interface DataPlaneSummary {
  readonly dns: { readonly servfailFractionMax: number };
  readonly services: { readonly availabilityMin: number; readonly impactStartedAt: number | null };
}

export interface DataPlane extends Component {
  summary(): DataPlaneSummary;
  /** User-facing availability over the last 10 s, 0..1 (1 when there is no user traffic). */
  availability(): number;
  /** Fraction of pods' lookups answered SERVFAIL over the last 10 s. */
  servfailFraction(): number;
  /** Availability of one service's requests over the last 10 s. */
  serviceAvailability(name: string): number;
  /** Kills the process of one live CoreDNS replica (by creation order), or of all of them. */
  restartCoreDns(replica?: number): void;
  /** Turns serve_stale on or off in CoreDNS's cache and NodeLocal DNSCache (a Corefile edit). */
  setServeStale(on: boolean): void;
  /** What each live CoreDNS replica answers for a cluster name right now. */
  coreDnsAnswers(): readonly ReplicaAnswer[];
}

export interface DataPlaneOptions {
  readonly until: number;
  /** The global balancer's share of normal user traffic for this cluster (1 = normal). */
  readonly userTrafficScale?: () => number;
  /**
   * User traffic the cluster's serving nodes can take, relative to its normal share (default:
   * unlimited). Load above it is turned away: availability is scaled by capacity / load.
   */
  readonly servingCapacity?: () => number;
  /** The client-go informer implementation; default the control plane's reflector. Tests pass a fake. */
  readonly createInformer?: InformerFactory;
  /** CoreDNS reuses its forward view in steady state (default true); tests compare with false. */
  readonly isViewCached?: boolean;
  /** CoreDNS skips the per-step update of steady replicas (default true); tests compare with false. */
  readonly hasSteadyFastPath?: boolean;
}

interface Edge {
  readonly from: ServiceNode;
  readonly to: ServiceNode;
  /** Position of the answering name in the caller's search list (1: same namespace, 2: "name.ns"). */
  readonly searchPosition: number;
  /** Pooled connections: DNS at renewal only, dead endpoints cost a re-dial (not a failed request). */
  readonly isPooled: boolean;
  readonly appCache: CacheCohort | null;
  readonly appResult: CohortStep;
  /** Lookups/s this edge sends to the node resolver (NodeLocal or CoreDNS) this step. */
  nodeLookups: number;
  /** Fraction of this edge's lookups that resolve. */
  lookupOk: number;
}

interface ServiceNode {
  readonly config: ServiceConfig;
  /** config.userRps and config.replicas, read every step: kept here, next to the state they feed. */
  readonly userRps: number;
  readonly replicas: number;
  readonly namespace: string;
  readonly workload: Workload;
  readonly out: Edge[];
  readonly externals: string[];
  readonly callers: Edge[];
  /** NodeLocal cohort of this service's name (null without NodeLocal or without callers). */
  readonly nameCache: CacheCohort | null;
  readonly nameResult: CohortStep;
  /** The node resolver's answer as the app caches above it see it (reused every step, no allocation). */
  readonly resolverOutcome: { ok: number; servfail: number; error: number };
  /** Sum of its callers' replicas (NodeLocal entries are on their nodes). */
  readonly callerReplicas: number;
  /** Requests/s this step (users plus callers). */
  rate: number;
  /** Probability a request to this service succeeds once it reached a pod. */
  pOk: number;
  /** Probability a new connection to this service lands on a live pod. */
  pRoute: number;
  /** Probability one of `requestAttempts` new connections lands on a live pod. */
  pConnect: number;
  /** Expected nodes running this service's pods, and its callers' pods (NodeLocal entries). */
  spread: number;
  callerSpread: number;
}

/** Expected distinct nodes among `pods` placed uniformly on `nodes`. */
function distinctNodes(nodes: number, pods: number): number {
  if (nodes <= 0 || pods <= 0) return 0;
  return nodes * (1 - (1 - 1 / nodes) ** pods);
}

/** Upstream queries/s of one negatively cached name per entry queried at rate `lambda`. */
function denialRefreshRate(lambda: number, ttl: number): number {
  return lambda > 0 ? lambda / (1 + lambda * ttl) : 0;
}

/**
 * Ring of the last N step values with a running sum. Sums, values and weights share one array: a
 * class field holding a double is a separate heap box, and the windows of every cluster are cold when
 * its step comes round, so each box read was a cache miss.
 */
class Window {
  /**
   * [sum, weight, value 0, weight 0, value 1, weight 1, ...]: a step's value and weight share a cache
   * line, so a push touches two lines (this and the sums), not three.
   */
  private readonly data: Float64Array;
  private readonly size: number;
  private i = 0;
  private n = 0;
  constructor(size: number) {
    this.size = size;
    this.data = new Float64Array(2 + 2 * size);
  }
  push(value: number, weight = 1): void {
    const d = this.data;
    const at = 2 + 2 * this.i;
    const weightAt = at + 1;
    if (this.n === this.size) {
      d[0]! -= d[at]! * d[weightAt]!;
      d[1]! -= d[weightAt]!;
    } else {
      this.n++;
    }
    d[at] = value;
    d[weightAt] = weight;
    d[0]! += value * weight;
    d[1]! += weight;
    this.i = (this.i + 1) % this.size;
  }
  get full(): boolean {
    return this.n === this.size;
  }
  /** Weighted mean of the window; never below 0 (running-sum rounding; every series here is >= 0). */
  mean(empty: number): number {
    const weight = this.data[1]!;
    if (weight <= 0) return empty;
    const m = this.data[0]! / weight;
    return Math.max(m, 0);
  }
}

export function createDataPlane(
  sim: Simulation,
  cluster: ClusterHandle,
  config: DataPlaneConfig,
  options: DataPlaneOptions,
): DataPlane {
  const clusterName = cluster.config.name;
  const nodes = (): number => Math.max(1, cluster.nodes.count);
  const attempts = config.requestAttempts ?? DEFAULT_REQUEST_ATTEMPTS;
  const resolverAttempts = config.resolver.attempts;
  const searchDomains = config.resolver.searchDomains;
  const trafficScale = options.userTrafficScale ?? (() => 1);
  const servingCapacity = options.servingCapacity ?? (() => Number.POSITIVE_INFINITY);
  const clusterServices = config.clusterServices ?? Math.ceil(cluster.config.nodes * SERVICES_PER_NODE);
  const background = config.background ?? DEFAULT_BACKGROUND;
  const nodeLocal = config.nodeLocal;
  const dnsCfg = config.coreDns;
  const createInformer: InformerFactory = options.createInformer ?? createReflector;

  // The control-plane model's kube-controller-manager, when the cluster has one: its leader lease
  // decides when the EndpointSlice and ReplicaSet controllers run (they stop when it is lost).
  const kcm = (cluster as Partial<Pick<SimulatedCluster, 'kcm'>>).kcm;
  const workloads = new Workloads({
    sim,
    api: cluster.api,
    nodes: cluster.nodes,
    random: sim.random(`${clusterName}/dataplane/pods`),
    apiInitiatedChurnFraction: config.apiInitiatedChurnFraction ?? DEFAULT_API_INITIATED_CHURN_FRACTION,
    ...(kcm ? { isControllerActive: () => kcm.isActive } : {}),
  });

  // --- the service graph ---------------------------------------------------------------------------

  const byName = new Map<string, ServiceNode>();
  const services: ServiceNode[] = [];
  for (const sc of config.services) {
    if (byName.has(sc.name))
      throw new Error(`data plane: service "${sc.name}" is defined twice in cluster ${clusterName}`);
    const node: ServiceNode = {
      config: sc,
      userRps: sc.userRps,
      replicas: sc.replicas,
      namespace: sc.namespace ?? 'default',
      workload: workloads.add({
        name: sc.name,
        replicas: sc.replicas,
        churnPerPodHour: sc.churnPerPodHour,
        restartsPerPodHour: sc.restartsPerPodHour ?? 0,
        isReadyOnStart: true,
      }),
      out: [],
      externals: [],
      callers: [],
      nameCache: null,
      nameResult: { ok: 1, servfail: 0, error: 0, forwards: 0 },
      resolverOutcome: { ok: 1, servfail: 0, error: 0 },
      callerReplicas: 0,
      rate: 0,
      pOk: 1,
      pRoute: 1,
      pConnect: 1,
      spread: 0,
      callerSpread: 0,
    };
    byName.set(sc.name, node);
    services.push(node);
  }

  const cacheTtlSpread = dnsCfg.cache.enabled ? ('uniform' as const) : ('full' as const);
  const nodeLocalTtl = Math.max(
    1,
    Math.min(
      nodeLocal.successTtl,
      dnsCfg.recordTtl,
      dnsCfg.cache.enabled ? dnsCfg.cache.successTtl : Number.POSITIVE_INFINITY,
    ),
  );
  const nodeLocalStale = (): { duration: number; mode: 'immediate' | 'verify' } | null =>
    nodeLocal.serveStale
      ? { duration: nodeLocal.serveStale.duration, mode: nodeLocal.serveStale.mode ?? 'immediate' }
      : null;
  const newNodeLocalCohort = (lambda: number): CacheCohort =>
    new CacheCohort(
      {
        successTtl: nodeLocalTtl,
        ttlSpread: cacheTtlSpread,
        failTtl: NODELOCAL_SERVFAIL_TTL,
        serveStale: nodeLocalStale(),
        attempts: resolverAttempts,
      },
      lambda,
    );

  for (const s of services) {
    for (const dep of s.config.dependsOn) {
      const target = byName.get(dep);
      if (!target) {
        if (!dep.includes('.'))
          throw new Error(
            `data plane: service "${s.config.name}" depends on "${dep}", which is not a service of cluster ${clusterName}; external names need a dot (e.g. "api.example.com")`,
          );
        s.externals.push(dep);
        continue;
      }
      const isPooled = s.config.dnsCache === 'connection-pool' || target.config.pooled === true;
      const appTtl = isPooled
        ? (config.connectionLifetime ?? DEFAULT_CONNECTION_LIFETIME)
        : s.config.dnsCache === 'jvm'
          ? JVM_POSITIVE_TTL
          : 0;
      const appCache =
        appTtl > 0
          ? new CacheCohort(
              {
                successTtl: appTtl,
                ttlSpread: 'full',
                failTtl: !isPooled && s.config.dnsCache === 'jvm' ? JVM_NEGATIVE_TTL : 0,
                serveStale: null,
                attempts: 1,
              },
              1,
            )
          : null;
      const edge: Edge = {
        from: s,
        to: target,
        isPooled,
        searchPosition: target.namespace === s.namespace ? 1 : 2,
        appCache,
        appResult: { ok: 1, servfail: 0, error: 0, forwards: 0 },
        nodeLookups: 0,
        lookupOk: 1,
      };
      s.out.push(edge);
      target.callers.push(edge);
      (target as { callerReplicas: number }).callerReplicas += s.config.replicas;
    }
  }
  // Topological order, callers first; a cycle is a configuration error.
  const order: ServiceNode[] = [];
  {
    const state = new Map<ServiceNode, 1 | 2>();
    const visit = (n: ServiceNode, path: string[]): void => {
      const st = state.get(n);
      if (st === 2) return;
      if (st === 1)
        throw new Error(
          `data plane: dependency cycle ${[...path, n.config.name].join(' -> ')} in cluster ${clusterName}`,
        );
      state.set(n, 1);
      for (const e of n.callers) visit(e.from, [...path, n.config.name]);
      state.set(n, 2);
      order.push(n);
    };
    for (const s of services) visit(s, []);
  }
  for (const s of services) {
    if (nodeLocal.enabled && s.callers.length > 0)
      (s as { nameCache: CacheCohort | null }).nameCache = newNodeLocalCohort(1);
  }
  const bgResult: CohortStep = { ok: 1, servfail: 0, error: 0, forwards: 0 };
  const bgCache =
    nodeLocal.enabled && background.namesPerNode > 0
      ? newNodeLocalCohort(background.lookupsPerNameSecond)
      : null;

  // Distinct names CoreDNS is asked about: every service name and search variant, A and AAAA.
  const distinctNames = (): number => 2 * (clusterServices * 2 + background.namesPerNode);

  const coreDns = new CoreDns({
    sim,
    cluster,
    config: dnsCfg,
    workloads,
    createInformer,
    clusterServices,
    distinctNames,
    ...(options.isViewCached === false ? { isViewCached: false } : {}),
    ...(options.hasSteadyFastPath === false ? { hasSteadyFastPath: false } : {}),
  });

  // kube-proxy: one informer stands for every node's (they all watch the same slices, break together
  // when the API goes, and relist when it returns); the control plane models their load.
  const kubeProxy: WarmableInformer = createInformer(sim, cluster.api, {
    name: `${clusterName}/kube-proxy/endpointslices`,
    identity: KUBE_PROXY_IDENTITY,
    resource: 'endpointslices',
    apiGroup: 'discovery.k8s.io',
    objects: () => clusterServices,
    client: KUBE_PROXY_CLIENT,
    log: cluster.log,
    cluster: clusterName,
  });

  // --- per-step state and metrics -------------------------------------------------------------------

  const metricWindow = Math.round(METRIC_WINDOW_SECONDS / STEP_SECONDS);
  const summaryWindow = Math.round(SUMMARY_WINDOW_SECONDS / STEP_SECONDS);
  const availabilityShort = new Window(metricWindow);
  const availabilityLong = new Window(summaryWindow);
  const servfailShort = new Window(metricWindow);
  const servfailLong = new Window(summaryWindow);
  const serviceShort = services.map(() => new Window(metricWindow));
  const rates = {
    nodeLocalLookups: new Window(metricWindow),
    nodeLocalForwards: new Window(metricWindow),
    coreDnsRequests: new Window(metricWindow),
    coreDnsServfails: new Window(metricWindow),
    timeouts: new Window(metricWindow),
    staleEndpoints: new Window(metricWindow),
  };
  let availabilityMin = 1;
  let servfailMax = 0;
  let impactStartedAt: number | null = null;
  let isImpacted = false;
  let kubeProxyLagging = false;
  let lastStepAt = 0;
  let tauProxy = 0;
  let spreadNodes = -1;
  /** Published changes the trackers have seen, and whether some were left for a later sync time. */
  let trackedChanges = -1;
  let hasPendingChanges = false;
  /** The views' counts moved since the routes were computed; serving changes they have seen. */
  let haveViewsMoved = true;
  let routedServingChanges = -1;
  /** Endpoints in kube-proxy's view over all services, and those whose pod does not answer. */
  let inView = 0;
  let inViewDead = 0;
  const hasHeadless = services.some((s) => s.config.headless === true);

  const routeOf = (s: ServiceNode): number => {
    const view = s.workload.trackers[s.config.headless ? VIEW_COREDNS : VIEW_KUBE_PROXY]!;
    return view.liveFraction;
  };

  const step = (): void => {
    const now = sim.now;
    const dt = now - lastStepAt > 0 ? now - lastStepAt : STEP_SECONDS;
    lastStepAt = now;
    workloads.tick();

    // 1. What kube-proxy and CoreDNS route to: the API's endpoints as of their sync times.
    // Views only move forward (an informer's store is never rolled back while its process lives).
    tauProxy = Math.max(tauProxy, kubeProxy.hasSynced ? kubeProxy.syncedThrough : 0);
    // With every published change applied and none published since, advancing changes nothing.
    if (hasPendingChanges || trackedChanges !== workloads.publishedChanges) {
      // CoreDNS's own view of endpoints only matters for headless answers.
      const tauDns = hasHeadless ? coreDns.viewTime() : 0;
      trackedChanges = workloads.publishedChanges;
      hasPendingChanges = false;
      for (const w of workloads.list) {
        const proxyView = w.trackers[VIEW_KUBE_PROXY]!;
        if (proxyView.advance(tauProxy)) haveViewsMoved = true;
        if (!proxyView.isCaughtUp) hasPendingChanges = true;
        if (hasHeadless) {
          const dnsView = w.trackers[VIEW_COREDNS]!;
          if (dnsView.advance(tauDns)) haveViewsMoved = true;
          if (!dnsView.isCaughtUp) hasPendingChanges = true;
        }
      }
    }
    const lag = now - tauProxy;
    if (lag > 60 && !kubeProxyLagging) {
      kubeProxyLagging = true;
      cluster.log.record({
        t: now,
        cluster: clusterName,
        kind: 'endpoints-stale',
        severity: 'warning',
        message:
          'kube-proxy and CoreDNS have not seen an endpoint update for 60 s: routing runs on stale endpoints',
      });
    } else if (lag <= 5 && kubeProxyLagging) {
      kubeProxyLagging = false;
      cluster.log.record({
        t: now,
        cluster: clusterName,
        kind: 'endpoints-resynced',
        severity: 'info',
        message: 'kube-proxy relisted endpoints: routing follows the API again',
      });
    }

    // 2. Request rates down the graph.
    const scale = trafficScale();
    for (const s of order) {
      let r = s.userRps * scale;
      for (const e of s.callers) r += e.from.rate;
      s.rate = r;
    }

    // 3. DNS: per name, the node resolver's answer; per edge, the app cache above it.
    const fv = coreDns.forwardView();
    const upstream: UpstreamOutcome = nodeLocal.enabled ? fv.forward : fv.single;
    let forwards = 0; // NodeLocal -> CoreDNS forwards (or direct lookups' tries)/s
    let extraQueries = 0; // AAAA, search-list and failure-expansion queries/s reaching CoreDNS
    let lookups = 0;
    let lookupServfail = 0;
    let lookupError = 0;
    const n = nodes();
    if (n !== spreadNodes) {
      spreadNodes = n;
      for (const s of services) {
        s.spread = distinctNodes(n, s.config.replicas);
        s.callerSpread = distinctNodes(n, s.callerReplicas);
      }
    }
    for (const s of services) {
      if (s.callers.length === 0) continue;
      let nodeLookups = 0;
      for (const e of s.callers) {
        // Without an app cache every call is a lookup; with one, its refreshes of the last step are.
        if (!e.appCache) e.nodeLookups = e.from.rate;
        nodeLookups += e.nodeLookups;
      }
      const entries = s.callerSpread;
      const r = s.nameResult;
      if (s.nameCache) {
        const lambda = entries > 0 ? nodeLookups / entries : 0;
        s.nameCache.step(lambda, upstream, r);
        forwards += r.forwards * entries;
        extraQueries += entries * denialRefreshRate(lambda, nodeLocal.denialTtl); // AAAA (NODATA)
        const failing = r.servfail + r.error;
        for (const e of s.callers) {
          const ce = e.from.spread;
          const l = ce > 0 ? e.nodeLookups / ce : 0;
          extraQueries += ce * 2 * (e.searchPosition - 1) * denialRefreshRate(l, nodeLocal.denialTtl);
          extraQueries +=
            ce * 2 * (searchDomains - e.searchPosition) * denialRefreshRate(l * failing, nodeLocal.denialTtl);
        }
      } else {
        directLookup(upstream, resolverAttempts, r);
        for (const e of s.callers) {
          const failing = 1 - r.ok;
          extraQueries +=
            e.nodeLookups *
            (r.forwards * (1 + 2 * (e.searchPosition - 1)) +
              failing * 2 * (searchDomains - e.searchPosition + 1));
        }
        forwards += nodeLookups * r.forwards;
      }
      lookups += nodeLookups;
      lookupServfail += nodeLookups * r.servfail;
      lookupError += nodeLookups * r.error;
      const resolverOutcome = s.resolverOutcome;
      resolverOutcome.ok = r.ok;
      resolverOutcome.servfail = r.servfail + r.error;
      for (const e of s.callers) {
        if (!e.appCache) {
          e.lookupOk = r.ok;
          continue;
        }
        const pods = e.from.replicas;
        const lambda = pods > 0 ? e.from.rate / pods : 0;
        e.appCache.step(lambda, resolverOutcome, e.appResult);
        e.lookupOk = e.appResult.ok;
        // Next step's node lookups from this edge: the app cache's refreshes.
        e.nodeLookups = e.appResult.forwards * pods;
      }
    }
    // Lookups of external names: search-list NXDOMAINs reach CoreDNS; the name itself resolves upstream.
    for (const s of services) {
      if (s.externals.length === 0) continue;
      const ce = s.spread;
      for (let k = 0; k < s.externals.length; k++) {
        if (nodeLocal.enabled)
          extraQueries +=
            ce * 2 * searchDomains * denialRefreshRate(ce > 0 ? s.rate / ce : 0, nodeLocal.denialTtl);
        else extraQueries += s.rate * 2 * (searchDomains + 1);
      }
    }
    // Pods outside the graph.
    const bgEntries = n * background.namesPerNode;
    if (bgEntries > 0) {
      const lambda = background.lookupsPerNameSecond;
      if (bgCache) {
        bgCache.step(lambda, upstream, bgResult);
        forwards += bgResult.forwards * bgEntries;
        extraQueries += bgEntries * denialRefreshRate(lambda, nodeLocal.denialTtl);
        extraQueries +=
          bgEntries *
          2 *
          (searchDomains - 1) *
          denialRefreshRate(lambda * (bgResult.servfail + bgResult.error), nodeLocal.denialTtl);
      } else {
        directLookup(upstream, resolverAttempts, bgResult);
        forwards += bgEntries * lambda * bgResult.forwards;
        extraQueries += bgEntries * lambda * (bgResult.forwards + (1 - bgResult.ok) * 2 * searchDomains);
      }
      lookups += bgEntries * lambda;
      lookupServfail += bgEntries * lambda * bgResult.servfail;
      lookupError += bgEntries * lambda * bgResult.error;
    }

    // 4. CoreDNS serves what reached it: each forward costs `picksPerForward` kube-proxy picks.
    const queries = forwards + extraQueries;
    const picks = nodeLocal.enabled ? queries * fv.picksPerForward : queries;
    coreDns.serve(fv.endpoints > 0 ? picks / fv.endpoints : 0, dt);

    // 5. Services, callees first.
    let userRate = 0;
    let userOk = 0;
    // Routes read only the views' counts: they move with a view or with a pod's liveness.
    if (haveViewsMoved || routedServingChanges !== workloads.servingChanges) {
      haveViewsMoved = false;
      routedServingChanges = workloads.servingChanges;
      inView = 0;
      inViewDead = 0;
      for (const s of services) {
        s.pRoute = routeOf(s);
        s.pConnect = 1 - (1 - s.pRoute) ** attempts;
        const t = s.workload.trackers[VIEW_KUBE_PROXY]!;
        inView += t.inView;
        inViewDead += t.inView - t.inViewUp;
      }
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const s = order[i]!;
      let p = 1;
      for (const e of s.out) {
        // A pool keeps its connections on live pods and re-dials the ones that broke until one lands:
        // only a service with no live endpoint fails it. Otherwise every request opens a connection.
        const route = e.isPooled ? (e.to.pRoute > 0 ? 1 : 0) : e.to.pConnect;
        p *= e.lookupOk * route * e.to.pOk;
      }
      s.pOk = p;
    }
    for (let i = 0; i < services.length; i++) {
      const s = services[i]!;
      const a = s.pConnect * s.pOk;
      serviceShort[i]!.push(s.callers.length > 0 || s.userRps > 0 ? a : 1);
      const users = s.userRps * scale;
      userRate += users;
      userOk += users * a;
    }
    const capacity = servingCapacity();
    const served = scale > capacity ? capacity / scale : 1;
    const availability = (userRate > 0 ? userOk / userRate : 1) * served;
    const servfail = lookups > 0 ? lookupServfail / lookups : 0;
    availabilityShort.push(availability, userRate > 0 ? userRate : 1);
    availabilityLong.push(availability, userRate > 0 ? userRate : 1);
    servfailShort.push(servfail, lookups > 0 ? lookups : 1);
    servfailLong.push(servfail, lookups > 0 ? lookups : 1);
    rates.nodeLocalLookups.push(nodeLocal.enabled ? lookups * 2 : 0);
    rates.nodeLocalForwards.push(nodeLocal.enabled ? forwards + extraQueries : 0);
    rates.coreDnsRequests.push(coreDns.answered / dt);
    rates.coreDnsServfails.push(coreDns.servfails / dt);
    rates.timeouts.push(lookups > 0 ? lookupError / lookups : 0);
    rates.staleEndpoints.push(inView > 0 ? inViewDead / inView : 0);

    const longAvailability = availabilityLong.mean(1);
    if (longAvailability < availabilityMin) availabilityMin = longAvailability;
    const longServfail = servfailLong.mean(0);
    if (longServfail > servfailMax) servfailMax = longServfail;
    if (longAvailability < IMPACT_THRESHOLD && !isImpacted) {
      isImpacted = true;
      if (impactStartedAt === null) impactStartedAt = now;
      cluster.log.record({
        t: now,
        cluster: clusterName,
        kind: 'service-impact',
        severity: 'critical',
        message: `user-facing availability ${(longAvailability * 100).toFixed(2)}% over the last minute (SERVFAIL ${(longServfail * 100).toFixed(2)}% of lookups, ${(rates.staleEndpoints.mean(0) * 100).toFixed(1)}% of routed endpoints dead${served < 1 ? `, serving nodes take ${(served * 100).toFixed(0)}% of the load` : ''})`,
      });
    } else if (longAvailability >= IMPACT_THRESHOLD && isImpacted) {
      isImpacted = false;
      cluster.log.record({
        t: now,
        cluster: clusterName,
        kind: 'service-recovered',
        severity: 'info',
        message: `user-facing availability back to ${(longAvailability * 100).toFixed(2)}%`,
      });
    }
    if (now + STEP_SECONDS <= options.until) sim.schedule(STEP_SECONDS, step, undefined);
  };

  // --- start ---------------------------------------------------------------------------------------

  for (const s of services) workloads.startWarm(s.workload);
  coreDns.start();
  if (kubeProxy.startWarm) kubeProxy.startWarm();
  else kubeProxy.start();
  sim.schedule(0, step, undefined);

  const metrics: MetricDeclaration[] = [
    {
      name: 'coredns_dns_requests_total',
      labels: { server: 'coredns' },
      unit: 'requests/s',
      help: 'Queries CoreDNS replicas answered per second (rate of coredns_dns_requests_total).',
      read: () => rates.coreDnsRequests.mean(0),
    },
    {
      name: 'coredns_dns_responses_total',
      labels: { server: 'coredns', rcode: 'SERVFAIL' },
      unit: 'responses/s',
      help: 'SERVFAIL answers from CoreDNS per second (unsynced replicas answering cluster names).',
      read: () => rates.coreDnsServfails.mean(0),
    },
    {
      name: 'coredns_dns_requests_total',
      labels: { server: 'node-local-dns' },
      unit: 'requests/s',
      help: 'Lookups (A and AAAA) pods sent to NodeLocal DNSCache per second.',
      read: () => rates.nodeLocalLookups.mean(0),
    },
    {
      name: 'coredns_forward_requests_total',
      labels: { server: 'node-local-dns' },
      unit: 'requests/s',
      help: 'Cache misses NodeLocal DNSCache forwarded to CoreDNS per second (kube-dns-upstream).',
      read: () => rates.nodeLocalForwards.mean(0),
    },
    {
      name: 'dns_lookup_servfail_fraction',
      unit: 'fraction',
      help: 'Fraction of pods\u2019 lookups of cluster names answered SERVFAIL (what applications see).',
      read: () => servfailShort.mean(0),
    },
    {
      name: 'dns_lookup_timeout_fraction',
      unit: 'fraction',
      help: 'Fraction of pods\u2019 lookups that got no answer (timeouts, refused, no endpoints).',
      read: () => rates.timeouts.mean(0),
    },
    {
      name: 'kube_deployment_status_replicas_ready',
      labels: { deployment: 'coredns' },
      unit: 'replicas',
      help: 'CoreDNS replicas whose process has synced its informers (ready plugin).',
      read: () => coreDns.readyReplicas,
    },
    {
      name: 'kube_deployment_status_replicas_available',
      labels: { deployment: 'coredns' },
      unit: 'replicas',
      help: 'CoreDNS replicas with a running process (synced or not).',
      read: () => coreDns.runningReplicas,
    },
    {
      name: 'kube_pod_container_status_restarts_total',
      labels: { container: 'coredns' },
      unit: 'restarts',
      help: 'CoreDNS container restarts since the start (crash, OOM, liveness, manual).',
      read: () => coreDns.restarts,
    },
    {
      name: 'container_memory_working_set_bytes',
      labels: { container: 'coredns', aggregate: 'max' },
      unit: 'bytes',
      help: 'Largest CoreDNS replica memory (informer stores, cache, in-flight queries).',
      read: () => coreDns.maxMemory,
    },
    {
      name: 'coredns_queue_delay_seconds',
      labels: { aggregate: 'max' },
      unit: 'seconds',
      help: 'Longest queueing delay at a CoreDNS replica (backlog / capacity).',
      read: () => coreDns.maxQueueDelay,
    },
    {
      name: 'dataplane_stale_endpoint_fraction',
      unit: 'fraction',
      help: 'Endpoints kube-proxy routes to whose pod no longer answers.',
      read: () => rates.staleEndpoints.mean(0),
    },
    {
      name: 'dataplane_pods_lost_total',
      unit: 'pods',
      help: 'Pods lost for node-local reasons (kubelet eviction, node loss) since the start; their replacements need the API.',
      read: () => workloads.nodeLocalDeaths,
    },
    {
      name: 'dataplane_kube_proxy_view_lag_seconds',
      unit: 'seconds',
      help: 'Age of the API state kube-proxy routes by.',
      read: () => sim.now - tauProxy,
    },
    {
      name: 'service_availability',
      labels: { service: '*' },
      unit: 'fraction',
      help: 'User-facing availability of the cluster (user-request weighted).',
      read: () => availabilityShort.mean(1),
    },
  ];
  services.forEach((s, i) => {
    if (s.config.userRps <= 0 && s.callers.length === 0) return;
    metrics.push({
      name: 'service_availability',
      labels: { service: s.config.name },
      unit: 'fraction',
      help: `Success fraction of requests to ${s.config.name}.`,
      read: () => serviceShort[i]!.mean(1),
    });
  });

  return {
    id: `${clusterName}/dataplane`,
    metrics: () => metrics,
    parameters: (): readonly ParameterDeclaration[] => DATAPLANE_PARAMETERS,
    summary: () => ({
      dns: { servfailFractionMax: servfailMax },
      services: { availabilityMin, impactStartedAt },
    }),
    availability: () => availabilityShort.mean(1),
    servfailFraction: () => servfailShort.mean(0),
    serviceAvailability: (name) => {
      const i = services.findIndex((s) => s.config.name === name);
      if (i < 0) throw new RangeError(`serviceAvailability: no service "${name}" in cluster ${clusterName}`);
      return serviceShort[i]!.mean(1);
    },
    restartCoreDns: (replica) => coreDns.restart(replica),
    setServeStale: (on) => {
      // CoreDNS's own cache never decides a cluster-name answer here (see the file comment), so the
      // switch matters where it changes answers: NodeLocal DNSCache.
      const stale = on
        ? {
            duration: nodeLocal.serveStale?.duration ?? SERVE_STALE_DEFAULT_DURATION,
            mode: nodeLocal.serveStale?.mode ?? ('immediate' as const),
          }
        : null;
      for (const s of services) s.nameCache?.setServeStale(stale);
      bgCache?.setServeStale(stale);
    },
    coreDnsAnswers: () => coreDns.answers(),
  };
}
