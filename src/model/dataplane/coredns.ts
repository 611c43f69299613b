/**
 * CoreDNS replicas: each a pod (workloads.ts) running a process whose kubernetes plugin serves
 * cluster names from client-go informers (services, endpointslices, namespaces) that never expire.
 *
 * What can take a replica away from answering (k8s-mechanics §7.1-7.3):
 * - its process restarts (ordinary crash, OOM past the memory limit, liveness failure): the informer
 *   stores are lost; the new process waits up to 5 s for a sync through the API, then answers
 *   SERVFAIL for cluster names until it syncs. Its pod keeps its IP, and while the API is down its
 *   endpoint is never withdrawn, so kube-proxy keeps sending it queries;
 * - its pod dies (eviction, node loss): the IP stops answering but stays in stale endpoints;
 * - overload: queries beyond its capacity queue, each holding memory; answers later than the
 *   forwarder's 2 s read timeout are errors, and the queue grows memory toward the OOM kill.
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiEndpoint } from '../api-types.js';
import type { Informer, InformerOptions } from '../client/informer.js';
import type { ClusterHandle } from '../cluster-types.js';
import type { CoreDnsConfig } from '../config.js';
import type { UpstreamOutcome } from './dns-cache.js';
import { COREDNS_CLIENT, COREDNS_IDENTITY, CLASS_CONTROLLER } from './identities.js';
import {
  AUTOSCALER_DEFAULT_CORES_PER_NODE,
  AUTOSCALER_POLL_PERIOD,
  CONTAINER_BACKOFF_BASE,
  CONTAINER_BACKOFF_MAX,
  CONTAINER_BACKOFF_RESET,
  COREDNS_BYTES_PER_INFLIGHT,
  COREDNS_CACHE_BYTES_PER_ENTRY,
  COREDNS_LIVENESS_FAILURES,
  COREDNS_LIVENESS_INITIAL_DELAY,
  COREDNS_LIVENESS_PERIOD,
  COREDNS_LIVENESS_TIMEOUT,
  COREDNS_MEMORY_BASE_BYTES,
  COREDNS_MEMORY_GUIDE_CONSTANT_MB,
  COREDNS_MEMORY_MB_PER_OBJECT,
  COREDNS_STARTUP_SYNC_WAIT,
  FORWARD_READ_TIMEOUT,
  FORWARD_TRIES,
  INFORMER_RELIST_COPIES,
} from './parameters.js';
import { VIEW_KUBE_PROXY, type PodRecord, type Workload, type Workloads } from './workloads.js';

/**
 * An informer factory; `startWarm` (the control plane's reflector has it) starts synced without a LIST.
 * `onListed` is called when a LIST has arrived, before the store is replaced (`isRelist` when the store
 * still holds the previous objects).
 */
export type InformerFactory = (
  sim: Simulation,
  api: ApiEndpoint,
  options: InformerOptions & { readonly onListed?: (isRelist: boolean) => void },
) => WarmableInformer;
export type WarmableInformer = Informer & { startWarm?(): void };

/** What a query for a cluster name gets from one replica right now. */
export type ReplicaAnswer = 'ok' | 'servfail' | 'timeout' | 'refused' | 'dead';

export type RestartReason = 'crash' | 'oom' | 'liveness' | 'manual';

interface ReplicaProcess {
  readonly pod: PodRecord;
  readonly informers: WarmableInformer[];
  isRunning: boolean;
  startedAt: number;
  isSynced: boolean;
  backlog: number;
  memory: number;
  /** Consecutive kubelet restarts for the CrashLoopBackOff. */
  backoffStep: number;
  livenessFailures: number;
  /** Its index in CoreDns's serve order and slot arrays (the liveness probe's times live there). */
  slot: number;
  /** Its backlog delays answers past the forwarder's read timeout (what answerOf reads as 'timeout'). */
  isSlow: boolean;
}

export interface CoreDnsOptions {
  readonly sim: Simulation;
  readonly cluster: ClusterHandle;
  readonly config: CoreDnsConfig;
  readonly workloads: Workloads;
  readonly createInformer: InformerFactory;
  /** Services in the cluster (LIST sizes, memory). */
  readonly clusterServices: number;
  /** Distinct (name, type) pairs the cluster asks CoreDNS about (fills its cache). */
  readonly distinctNames: () => number;
  /** Reuse the forward view while nothing it reads changed (default true; tests compare with false). */
  readonly isViewCached?: boolean;
  /** Let serve() skip the update of replicas in a steady state (default true; tests compare with false). */
  readonly hasSteadyFastPath?: boolean;
}

/** Upstream outcome as a forwarder (NodeLocal's forward plugin) sees it, and how many picks a forward costs. */
export interface ForwardView {
  /** One pick of kube-proxy among CoreDNS endpoints. */
  readonly single: UpstreamOutcome;
  /** A forward with its retries on new connections. */
  readonly forward: UpstreamOutcome;
  readonly picksPerForward: number;
  readonly endpoints: number;
}

/**
 * What serve() must do for a replica this step. A steady replica is running and synced, with no
 * backlog, no failed liveness probe and a full cache: while the load per endpoint stays within its
 * capacity, a step changes nothing of it but the per-step totals and its probe time.
 */
const MODE_UPDATE = 0;
const MODE_STEADY_IN_VIEW = 1;
const MODE_STEADY_OUT_OF_VIEW = 2;
const MODE_STOPPED = 3;

/** Resident memory without queued queries: base, informer stores once synced, cache fill. */
function fixedMemory(objectsBytes: number, isSynced: boolean, names: number, fill: number): number {
  return (
    COREDNS_MEMORY_BASE_BYTES +
    objectsBytes * (isSynced ? 1 : 0) +
    names * fill * COREDNS_CACHE_BYTES_PER_ENTRY
  );
}

const INFORMER_RESOURCES = [
  { resource: 'services', apiGroup: '' },
  { resource: 'endpointslices', apiGroup: 'discovery.k8s.io' },
  { resource: 'namespaces', apiGroup: '' },
] as const;

export class CoreDns {
  readonly workload: Workload;
  private readonly processes = new Map<number, ReplicaProcess>();
  /**
   * The processes in the map's (creation) order, and per slot what serve() must do and the liveness
   * probe's times: serve() reads these dense arrays instead of visiting every process object, which
   * for the thousands of idle replicas of a large fleet cost cache misses each step.
   */
  private readonly order: ReplicaProcess[] = [];
  private slotMode = new Uint8Array(16);
  /** When the liveness probe starts (startedAt + initial delay), and the last probe. */
  private probeFrom = new Float64Array(16);
  private lastProbeAt = new Float64Array(16);
  /** Memory of a steady replica when the modes were set, and the workload version their view bits follow. */
  private steadyMemory = Number.NaN;
  private modeWorkloadVersion = -1;
  private readonly qps: number;
  private readonly clusterName: string;
  /** Memory limit per replica, bytes (resolved from 'scaling-guide' for this cluster's shape). */
  readonly memoryLimitBytes: number;
  /** True while start() creates the replicas that exist at t = 0 (synced, no LIST). */
  private isWarming = false;
  restarts = 0;
  oomKills = 0;
  /** Last step's totals, queries/s. */
  answered = 0;
  servfails = 0;
  arrivals = 0;
  /**
   * Bumped on every change of a process that answerOf reads (start, stop, kill, sync, crossing the
   * read timeout); with the workload's version it keys the cached forward view.
   */
  private version = 0;
  private cachedView: ForwardView | null = null;
  private cachedViewKey = -1;
  private cachedWorkloadVersion = -1;

  constructor(private readonly o: CoreDnsOptions) {
    const c = o.config;
    this.qps = c.qpsPerReplica;
    this.clusterName = o.cluster.config.name;
    this.memoryLimitBytes =
      c.memoryLimitBytes === 'scaling-guide'
        ? (this.clusterPods() + o.clusterServices) * COREDNS_MEMORY_MB_PER_OBJECT * 1e6 +
          COREDNS_MEMORY_GUIDE_CONSTANT_MB * 1e6
        : c.memoryLimitBytes;
    this.workload = o.workloads.add(
      {
        name: 'coredns',
        replicas: this.targetReplicas(),
        churnPerPodHour: c.churnPerPodHour ?? 0,
        restartsPerPodHour: c.restartsPerReplicaHour ?? 0,
        isReadyOnStart: false,
      },
      {
        onContainerStart: (pod, isNew) => this.onStart(pod, isNew),
        onContainerStop: (pod) => this.onStop(pod),
        onOrdinaryRestart: (pod) => {
          const p = this.processes.get(pod.id);
          if (p) this.kill(p, 'crash');
          return true;
        },
      },
    );
  }

  private clusterPods(): number {
    return this.o.cluster.config.nodes * this.o.cluster.config.podsPerNode;
  }

  /** Bytes the informer of `resource` holds: EndpointSlices carry an entry per pod (Scaling_CoreDNS.md). */
  private informerBytes(resource: string): number {
    const objects =
      resource === 'endpointslices'
        ? this.clusterPods()
        : resource === 'services'
          ? this.o.clusterServices
          : 0;
    return objects * COREDNS_MEMORY_MB_PER_OBJECT * 1e6;
  }

  /** Replicas the configured rule asks for now (cluster-proportional autoscaler, linear mode). */
  targetReplicas(): number {
    const r = this.o.config.replicas;
    if (r.kind === 'fixed') return r.count;
    const nodes = this.o.cluster.nodes.count;
    const cores = nodes * (r.coresPerNode ?? AUTOSCALER_DEFAULT_CORES_PER_NODE);
    return Math.max(Math.ceil(cores / r.coresPerReplica), Math.ceil(nodes / r.nodesPerReplica), r.min);
  }

  /** Replicas exist, synced and Ready, at t = 0; the autoscaler starts polling. */
  start(): void {
    this.isWarming = true;
    this.o.workloads.startWarm(this.workload);
    this.isWarming = false;
    if (this.o.config.replicas.kind === 'autoscale')
      this.o.sim.schedule(AUTOSCALER_POLL_PERIOD, () => this.autoscale(), undefined);
  }

  private autoscale(): void {
    // The autoscaler reads nodes and patches deployments/scale through the API.
    if (this.o.cluster.api.isReachable(CLASS_CONTROLLER)) {
      const target = this.targetReplicas();
      if (target !== this.workload.desired) {
        this.o.cluster.log.record({
          t: this.o.sim.now,
          cluster: this.clusterName,
          kind: 'coredns-scaled',
          severity: 'info',
          message: `cluster-proportional-autoscaler scales CoreDNS from ${this.workload.desired} to ${target} replicas`,
        });
        this.o.workloads.setDesired(this.workload, target);
      }
    }
    this.o.sim.schedule(AUTOSCALER_POLL_PERIOD, () => this.autoscale(), undefined);
  }

  // --- process lifecycle --------------------------------------------------------------------------

  private onStart(pod: PodRecord, isNew: boolean): void {
    let p = this.processes.get(pod.id);
    if (!p) {
      const informers: WarmableInformer[] = [];
      p = {
        pod,
        informers,
        isRunning: false,
        startedAt: 0,
        isSynced: false,
        backlog: 0,
        memory: 0,
        backoffStep: 0,
        livenessFailures: 0,
        slot: this.order.length,
        isSlow: false,
      };
      const process = p;
      for (const r of INFORMER_RESOURCES) {
        const informer = this.o.createInformer(this.o.sim, this.o.cluster.api, {
          name: `${this.clusterName}/coredns-${pod.id}/${r.resource}`,
          identity: COREDNS_IDENTITY,
          resource: r.resource,
          apiGroup: r.apiGroup,
          objects:
            r.resource === 'namespaces'
              ? () => Math.max(4, Math.ceil(this.o.clusterServices / 20))
              : () => this.o.clusterServices,
          client: COREDNS_CLIENT,
          log: this.o.cluster.log,
          cluster: this.clusterName,
          onListed: (isRelist) => {
            if (isRelist) this.relisted(process, r.resource);
          },
        });
        informers.push(informer);
      }
      this.processes.set(pod.id, p);
      this.addSlot(p);
    }
    const now = this.o.sim.now;
    this.version++;
    p.isRunning = true;
    p.startedAt = now;
    const isWarm = this.isWarming && isNew;
    p.isSynced = isWarm;
    p.backlog = 0;
    p.isSlow = false;
    p.livenessFailures = 0;
    this.slotMode[p.slot] = MODE_UPDATE;
    this.probeFrom[p.slot] = p.startedAt + COREDNS_LIVENESS_INITIAL_DELAY;
    this.lastProbeAt[p.slot] = now + COREDNS_LIVENESS_INITIAL_DELAY - COREDNS_LIVENESS_PERIOD;
    // A replica running before t = 0 has listed already; a new process lists through the API.
    for (const inf of p.informers) {
      if (isWarm && inf.startWarm) inf.startWarm();
      else inf.start();
    }
  }

  private onStop(pod: PodRecord): void {
    const p = this.processes.get(pod.id);
    if (!p?.isRunning) return;
    this.version++;
    p.isRunning = false;
    p.isSynced = false;
    p.backlog = 0;
    p.isSlow = false;
    this.slotMode[p.slot] = MODE_STOPPED;
    for (const inf of p.informers) inf.stop();
    if (!pod.isAlive) {
      this.processes.delete(pod.id);
      this.removeSlot(p);
    }
  }

  private addSlot(p: ReplicaProcess): void {
    const n = this.order.length;
    if (n === this.slotMode.length) {
      const mode = new Uint8Array(2 * n);
      mode.set(this.slotMode);
      this.slotMode = mode;
      const probeFrom = new Float64Array(2 * n);
      probeFrom.set(this.probeFrom);
      this.probeFrom = probeFrom;
      const lastProbeAt = new Float64Array(2 * n);
      lastProbeAt.set(this.lastProbeAt);
      this.lastProbeAt = lastProbeAt;
    }
    p.slot = n;
    this.order.push(p);
    this.slotMode[n] = MODE_UPDATE;
  }

  /** Drops a process's slot, keeping the order (never called while serve() iterates: kill() keeps pods). */
  private removeSlot(p: ReplicaProcess): void {
    const i = p.slot;
    const n = this.order.length;
    this.order.splice(i, 1);
    this.slotMode.copyWithin(i, i + 1, n);
    this.probeFrom.copyWithin(i, i + 1, n);
    this.lastProbeAt.copyWithin(i, i + 1, n);
    for (let j = i; j < n - 1; j++) this.order[j]!.slot = j;
  }

  /**
   * A relist arrived while the store still holds the previous objects: at its peak the process holds
   * both copies (INFORMER_RELIST_COPIES), and past the limit the kernel OOM-kills it mid-relist.
   */
  private relisted(p: ReplicaProcess, resource: string): void {
    if (!p.isRunning) return;
    const peak = p.memory + (INFORMER_RELIST_COPIES - 1) * this.informerBytes(resource);
    if (peak <= this.memoryLimitBytes) return;
    p.memory = peak;
    this.kill(p, 'oom', `relisting ${resource}`);
  }

  /** Kills a replica's process; the kubelet restarts it in place after its CrashLoopBackOff. */
  kill(p: ReplicaProcess, reason: RestartReason, during?: string): void {
    if (!p.isRunning) return;
    const now = this.o.sim.now;
    if (now - p.startedAt >= CONTAINER_BACKOFF_RESET) p.backoffStep = 0;
    const delay = Math.min(CONTAINER_BACKOFF_MAX, CONTAINER_BACKOFF_BASE * 2 ** p.backoffStep);
    p.backoffStep++;
    this.version++;
    this.slotMode[p.slot] = MODE_UPDATE;
    this.restarts++;
    if (reason === 'oom') this.oomKills++;
    this.o.cluster.log.record({
      t: now,
      cluster: this.clusterName,
      kind: reason === 'oom' ? 'coredns-oom-killed' : 'coredns-restarted',
      severity: 'warning',
      message:
        reason === 'oom'
          ? `CoreDNS pod ${p.pod.id} OOM-killed at ${(p.memory / 2 ** 20).toFixed(0)} MiB (${during ?? `${Math.round(p.backlog)} queries in flight`}); restarts in ${delay} s with an empty informer cache`
          : `CoreDNS pod ${p.pod.id} restarted (${reason}); back in ${delay} s, must re-sync through the API`,
    });
    this.o.workloads.restartContainer(p.pod, delay);
  }

  /** Kills the process of the `index`-th live replica (or every replica). */
  restart(index?: number): void {
    const live = this.liveProcesses();
    if (index === undefined) {
      for (const p of live) this.kill(p, 'manual');
      return;
    }
    const p = live[index];
    if (!p)
      throw new RangeError(`restartCoreDns: replica ${index} does not exist (${live.length} live replicas)`);
    this.kill(p, 'manual');
  }

  private liveProcesses(): ReplicaProcess[] {
    const out: ReplicaProcess[] = [];
    for (const p of this.processes.values()) if (p.pod.isAlive) out.push(p);
    return out;
  }

  private isServing(p: ReplicaProcess): boolean {
    return p.isRunning && (p.isSynced || this.o.sim.now - p.startedAt >= COREDNS_STARTUP_SYNC_WAIT);
  }

  private answerOf(pod: PodRecord): ReplicaAnswer {
    if (!pod.isAlive) return 'dead';
    const p = this.processes.get(pod.id);
    if (!p || !this.isServing(p)) return 'refused';
    if (p.backlog / this.qps > FORWARD_READ_TIMEOUT) return 'timeout';
    return p.isSynced ? 'ok' : 'servfail';
  }

  /** Answers of the live replicas, in creation order (tests, reports). */
  answers(): ReplicaAnswer[] {
    return this.liveProcesses().map((p) => this.answerOf(p.pod));
  }

  // --- per step -----------------------------------------------------------------------------------

  /** Picks kube-proxy can make among the CoreDNS endpoints it knows, and what each gets. */
  forwardView(): ForwardView {
    // Steady state: nothing answerOf reads has changed since the last call, so neither has the view.
    if (
      this.o.isViewCached !== false &&
      this.cachedView &&
      this.cachedViewKey === this.version &&
      this.cachedWorkloadVersion === this.workload.version
    )
      return this.cachedView;
    let n = 0;
    let ok = 0;
    let servfail = 0;
    // An unsynced running process turns from 'refused' to 'servfail' with time alone: no caching then.
    let isTimeDependent = false;
    for (const pod of this.workload.pods) {
      if (!pod.inView[VIEW_KUBE_PROXY]) continue;
      n++;
      const a = this.answerOf(pod);
      if (a === 'ok') ok++;
      else if (a === 'servfail') servfail++;
      else if (a === 'refused' && pod.isAlive) {
        const p = this.processes.get(pod.id);
        if (p?.isRunning && !p.isSynced) isTimeDependent = true;
      }
    }
    const view = this.computeView(n, ok, servfail);
    this.cachedView = isTimeDependent ? null : view;
    this.cachedViewKey = this.version;
    this.cachedWorkloadVersion = this.workload.version;
    return view;
  }

  private computeView(n: number, ok: number, servfail: number): ForwardView {
    if (n === 0) {
      // No endpoints: kube-proxy's REJECT rule refuses the connection at once.
      const none = { ok: 0, servfail: 0, error: 1 };
      return { single: none, forward: none, picksPerForward: 1, endpoints: 0 };
    }
    const single = { ok: ok / n, servfail: servfail / n, error: (n - ok - servfail) / n };
    let picks = 0;
    let p = 1;
    for (let i = 0; i < FORWARD_TRIES; i++) {
      picks += p;
      p *= single.error;
    }
    return {
      single,
      forward: { ok: single.ok * picks, servfail: single.servfail * picks, error: p },
      picksPerForward: picks,
      endpoints: n,
    };
  }

  /**
   * Serves one step of load: `picksPerEndpoint` queries/s land on every endpoint in kube-proxy's
   * view; those on a running replica queue there.
   */
  serve(picksPerEndpoint: number, dt: number): void {
    const now = this.o.sim.now;
    const cfg = this.o.config;
    const objectsBytes = (this.clusterPods() + this.o.clusterServices) * COREDNS_MEMORY_MB_PER_OBJECT * 1e6;
    const names = Math.min(cfg.cache.capacity, this.o.distinctNames());
    this.answered = 0;
    this.servfails = 0;
    this.arrivals = 0;
    const offered = picksPerEndpoint * dt;
    const capacity = this.qps * dt;
    const steadyFill = cfg.cache.enabled ? 1 : 0;
    const steadyMemory = fixedMemory(objectsBytes, true, names, steadyFill);
    if (steadyMemory !== this.steadyMemory) {
      // What a steady replica holds moved (the first step; the cluster's shape and names are fixed
      // today, so only a defence): every replica is updated in full this step.
      this.steadyMemory = steadyMemory;
      for (let i = 0; i < this.order.length; i++)
        if (this.slotMode[i] !== MODE_STOPPED) this.slotMode[i] = MODE_UPDATE;
    }
    if (this.workload.version !== this.modeWorkloadVersion) {
      // Endpoints entered or left kube-proxy's view: re-read the view bit of the steady replicas.
      this.modeWorkloadVersion = this.workload.version;
      for (let i = 0; i < this.order.length; i++) {
        const m = this.slotMode[i];
        if (m === MODE_STEADY_IN_VIEW || m === MODE_STEADY_OUT_OF_VIEW)
          this.slotMode[i] = this.order[i]!.pod.inView[VIEW_KUBE_PROXY]
            ? MODE_STEADY_IN_VIEW
            : MODE_STEADY_OUT_OF_VIEW;
      }
    }
    // A steady replica stays steady while what lands on it fits its capacity: its backlog stays 0
    // (max(0, 0 + offered - capacity)), it answers all it got, its memory is steadyMemory (no queue,
    // full cache, at most the limit or it would not be steady) and its liveness probe passes.
    const isFast = this.o.hasSteadyFastPath !== false && offered <= capacity;
    // kill() keeps the pod (an in-place restart), so the order is not modified while iterating.
    for (let i = 0; i < this.order.length; i++) {
      const mode = this.slotMode[i]!;
      if (mode === MODE_STOPPED) continue;
      if (isFast && mode !== MODE_UPDATE) {
        // Out of view it gets nothing and answers 0: adding 0 leaves the non-negative totals unchanged.
        if (mode === MODE_STEADY_IN_VIEW) {
          this.arrivals += offered;
          this.answered += offered;
        }
        if (now >= this.probeFrom[i]! && now - this.lastProbeAt[i]! >= COREDNS_LIVENESS_PERIOD)
          this.lastProbeAt[i] = now;
        continue;
      }
      this.serveOne(this.order[i]!, i, now, offered, capacity, objectsBytes, names, steadyFill);
    }
  }

  /** One step of one replica in full; leaves its slot's mode for the next step. */
  private serveOne(
    p: ReplicaProcess,
    slot: number,
    now: number,
    offered: number,
    capacity: number,
    objectsBytes: number,
    names: number,
    steadyFill: number,
  ): void {
    if (!p.isRunning) return;
    const cfg = this.o.config;
    if (!p.isSynced && p.informers.every((i) => i.hasSynced)) {
      p.isSynced = true;
      this.version++;
      // ready plugin: Ready once synced, never asked again.
      this.o.workloads.setReady(p.pod, true);
      this.o.cluster.log.record({
        t: now,
        cluster: this.clusterName,
        kind: 'coredns-synced',
        severity: 'info',
        message: `CoreDNS pod ${p.pod.id} synced its informers ${(now - p.startedAt).toFixed(0)} s after starting`,
      });
    }
    const serving = this.isServing(p);
    const isInView = p.pod.inView[VIEW_KUBE_PROXY] === true;
    const arrivals = serving && isInView ? offered : 0;
    this.arrivals += arrivals;
    const answered = Math.min(arrivals + p.backlog, capacity);
    p.backlog = Math.max(0, p.backlog + arrivals - capacity);
    this.answered += answered;
    if (!p.isSynced) this.servfails += answered;
    const fill = cfg.cache.enabled ? Math.min(1, (now - p.startedAt) / Math.max(1, cfg.cache.successTtl)) : 0;
    const fixed = fixedMemory(objectsBytes, p.isSynced, names, fill);
    p.memory = fixed + p.backlog * COREDNS_BYTES_PER_INFLIGHT;
    if (p.memory > this.memoryLimitBytes) {
      // The kernel kills it the moment the limit is crossed, somewhere inside this step.
      p.memory = this.memoryLimitBytes;
      p.backlog = Math.max(0, (this.memoryLimitBytes - fixed) / COREDNS_BYTES_PER_INFLIGHT);
      this.noteSlow(p);
      this.kill(p, 'oom');
      return;
    }
    this.noteSlow(p);
    if (now >= this.probeFrom[slot]! && now - this.lastProbeAt[slot]! >= COREDNS_LIVENESS_PERIOD) {
      this.lastProbeAt[slot] = now;
      // The /health handler's goroutine waits behind the queued queries for CPU.
      if (p.backlog / this.qps > COREDNS_LIVENESS_TIMEOUT) {
        p.livenessFailures++;
        if (p.livenessFailures >= COREDNS_LIVENESS_FAILURES) {
          this.kill(p, 'liveness');
          return;
        }
      } else {
        p.livenessFailures = 0;
      }
    }
    // Fill only grows with time, so a replica with a full cache keeps it until it restarts (onStart).
    const isSteady = p.isSynced && p.backlog === 0 && p.livenessFailures === 0 && fill === steadyFill;
    this.slotMode[slot] = !isSteady ? MODE_UPDATE : isInView ? MODE_STEADY_IN_VIEW : MODE_STEADY_OUT_OF_VIEW;
  }

  private noteSlow(p: ReplicaProcess): void {
    const isSlow = p.backlog / this.qps > FORWARD_READ_TIMEOUT;
    if (isSlow !== p.isSlow) {
      p.isSlow = isSlow;
      this.version++;
    }
  }

  get readyReplicas(): number {
    let n = 0;
    for (const p of this.processes.values()) if (p.isRunning && p.isSynced && p.pod.isAlive) n++;
    return n;
  }

  get runningReplicas(): number {
    let n = 0;
    for (const p of this.processes.values()) if (p.isRunning && p.pod.isAlive) n++;
    return n;
  }

  get maxMemory(): number {
    let m = 0;
    for (const p of this.processes.values()) if (p.isRunning && p.memory > m) m = p.memory;
    return m;
  }

  get maxQueueDelay(): number {
    let d = 0;
    for (const p of this.processes.values()) if (p.isRunning) d = Math.max(d, p.backlog / this.qps);
    return d;
  }

  /** Oldest API state any synced replica answers from (CoreDNS's view for headless answers). */
  viewTime(): number {
    let tau = Number.POSITIVE_INFINITY;
    for (const p of this.processes.values()) {
      if (!p.isRunning || !p.isSynced || !p.pod.isAlive) continue;
      let t = Number.POSITIVE_INFINITY;
      for (const inf of p.informers) t = Math.min(t, inf.hasSynced ? inf.syncedThrough : 0);
      tau = Math.min(tau, t);
    }
    return Number.isFinite(tau) ? tau : 0;
  }
}
