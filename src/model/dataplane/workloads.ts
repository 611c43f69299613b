/**
 * Pods, their endpoints and the path every endpoint change takes through the API server.
 *
 * Ground truth (is the pod's IP alive, is its container up) changes locally. What kube-proxy and
 * CoreDNS route to is the API's EndpointSlice state as of their informer's sync time, and that
 * state only changes through writes: the kubelet posts pod status, the EndpointSlice controller
 * writes the slice, the ReplicaSet controller creates replacements. While the API is unreachable
 * none of that happens, so views go stale and point at IPs that no longer answer.
 *
 * Each workload keeps a log of published changes (time, pod, add/remove); a `ViewTracker` replays it
 * up to its consumer's sync time, so "what kube-proxy routes to" costs O(changes), not O(pods) per step.
 */
import type { RandomStream, Simulation } from '../../engine/index.js';
import type { ApiEndpoint, ApiOutcome } from '../api-types.js';
import type { NodeView } from '../cluster-types.js';
import {
  CLASS_CONTROLLER,
  CLASS_KUBELET,
  ENDPOINTSLICE_CONTROLLER_IDENTITY,
  REPLICASET_CONTROLLER_IDENTITY,
} from './identities.js';
import {
  CONTAINER_RESTART_SECONDS,
  ENDPOINTSLICE_BACKOFF_BASE,
  ENDPOINTSLICE_BACKOFF_MAX,
  ENDPOINTSLICE_SYNC_DELAY,
  POD_START_SECONDS,
  POD_STATUS_DELAY,
  TERMINATION_GRACE_PERIOD,
} from './parameters.js';

/** Tracker slots: kube-proxy's view (ClusterIP routing) and CoreDNS's view (headless answers). */
export const VIEW_KUBE_PROXY = 0;
export const VIEW_COREDNS = 1;
const VIEWS = 2;

export interface PodRecord {
  readonly id: number;
  readonly workload: Workload;
  readonly node: number;
  /** The pod exists and its IP answers. */
  isAlive: boolean;
  /** Its container is running (false while the kubelet restarts it in place). */
  isUp: boolean;
  /** Readiness as the kubelet sees it. */
  isReady: boolean;
  /** Deleted through the API: leaves the endpoints, then stops after the grace period. */
  isTerminating: boolean;
  /** Readiness the API holds: posted by the kubelet, or forced false by the node controller. */
  isApiReady: boolean;
  /** In the EndpointSlice as a ready endpoint (the API's state). */
  isPublished: boolean;
  /** The ReplicaSet controller has seen this pod fail and asked for a replacement. */
  isReplaced: boolean;
  /** Membership in each view. */
  readonly inView: boolean[];
  readonly createdAt: number;
}

interface PublishedChange {
  readonly t: number;
  readonly pod: PodRecord;
  readonly isAdd: boolean;
}

export interface WorkloadSpec {
  readonly name: string;
  readonly replicas: number;
  /** Pod replacements per pod per hour (both API-initiated and node-local). */
  readonly churnPerPodHour: number;
  /** In-place container restarts per pod per hour. */
  readonly restartsPerPodHour: number;
  /** A pod is Ready as soon as its container runs (false: its process decides, e.g. CoreDNS once synced). */
  readonly isReadyOnStart: boolean;
}

export interface WorkloadHooks {
  /** A new pod's container started (after create), or a container came back after an in-place restart. */
  onContainerStart?(pod: PodRecord, isNewPod: boolean): void;
  /** The container stopped: pod death, or an in-place restart beginning. */
  onContainerStop?(pod: PodRecord, isPodGone: boolean): void;
  /** An ordinary in-place restart is due; the workload may take over (CoreDNS applies its own backoff). */
  onOrdinaryRestart?(pod: PodRecord): boolean;
}

export class ViewTracker {
  private next = 0;
  /** Endpoints in this view, and those of them whose pod answers. */
  inView = 0;
  inViewUp = 0;

  constructor(
    readonly slot: number,
    private readonly workload: Workload,
  ) {}

  /** Applies published changes up to the consumer's sync time `tau`; true if the view's counts moved. */
  advance(tau: number): boolean {
    let hasMoved = false;
    const log = this.workload.changes;
    while (this.next < log.length) {
      const c = log[this.next]!;
      if (c.t > tau) break;
      this.next++;
      const pod = c.pod;
      if (pod.inView[this.slot] === c.isAdd) continue;
      pod.inView[this.slot] = c.isAdd;
      this.workload.version++;
      hasMoved = true;
      const d = c.isAdd ? 1 : -1;
      this.inView += d;
      if (pod.isAlive && pod.isUp) this.inViewUp += d;
    }
    return hasMoved;
  }

  /** Fraction of this view's endpoints that answer a new connection (0 when the view is empty). */
  get liveFraction(): number {
    return this.inView > 0 ? this.inViewUp / this.inView : 0;
  }

  get isCaughtUp(): boolean {
    return this.next >= this.workload.changes.length;
  }
}

export class Workload {
  readonly pods: PodRecord[] = [];
  readonly changes: PublishedChange[] = [];
  readonly trackers: ViewTracker[];
  desired: number;
  /** Replacements the ReplicaSet controller still has to create. */
  pendingCreates = 0;
  createsInFlight = 0;
  createFailures = 0;
  createRetryAt = 0;
  isDirty = false;
  isSyncScheduled = false;
  isWriteInFlight = false;
  writeFailures = 0;
  writeRetryAt = 0;
  endpointWrites = 0;
  /**
   * Bumped whenever a pod of this workload is added or pruned, changes liveness, or enters or leaves
   * a view: consumers that derive something from the pod list (CoreDNS's forward view) reuse it while
   * the version stands.
   */
  version = 0;

  constructor(
    readonly index: number,
    readonly spec: WorkloadSpec,
    readonly hooks: WorkloadHooks,
  ) {
    this.desired = spec.replicas;
    this.trackers = [];
    for (let v = 0; v < VIEWS; v++) this.trackers.push(new ViewTracker(v, this));
  }

  /** Pods that count toward the desired replicas (alive and not being deleted). */
  get activePods(): number {
    let n = 0;
    for (const p of this.pods) if (p.isAlive && !p.isTerminating) n++;
    return n;
  }

  get livePods(): number {
    let n = 0;
    for (const p of this.pods) if (p.isAlive && p.isUp) n++;
    return n;
  }
}

export interface WorkloadsOptions {
  readonly sim: Simulation;
  readonly api: ApiEndpoint;
  readonly nodes: NodeView;
  readonly random: RandomStream;
  readonly apiInitiatedChurnFraction: number;
  /** kube-controller-manager holds its leader lease (default: the API is reachable for it). */
  readonly isControllerActive?: () => boolean;
}

/**
 * All workloads of the data plane and their controllers: kubelet status posts, the EndpointSlice
 * controller, the ReplicaSet controller, and ordinary churn.
 */
export class Workloads {
  readonly list: Workload[] = [];
  private nextPodId = 0;
  private readonly podsByNode = new Map<number, PodRecord[]>();
  private readonly pendingStatus = new Set<PodRecord>();
  private wasControllerUp = true;
  private lastNodeCount: number;
  /** Pods lost for node-local reasons (eviction, node loss) since the start. */
  nodeLocalDeaths = 0;
  /** Changes published to any workload's log so far (lets view trackers skip a step with none new). */
  publishedChanges = 0;
  /** Pods that started or stopped answering so far (the views' live counts move with them). */
  servingChanges = 0;

  constructor(private readonly o: WorkloadsOptions) {
    this.lastNodeCount = o.nodes.count;
    o.nodes.onReadyChange((node, ready) => this.onNodeReadyChange(node, ready));
  }

  add(spec: WorkloadSpec, hooks: WorkloadHooks = {}): Workload {
    const w = new Workload(this.list.length, spec, hooks);
    this.list.push(w);
    return w;
  }

  /** Creates a workload's initial pods, running, Ready and published at t = 0 (a cluster in steady state). */
  startWarm(w: Workload): void {
    for (let i = 0; i < w.spec.replicas; i++) {
      const pod = this.newPod(w);
      pod.isReady = true;
      pod.isApiReady = true;
      pod.isPublished = true;
      // Published before the simulation began: visible to any view.
      w.changes.push({ t: Number.NEGATIVE_INFINITY, pod, isAdd: true });
      this.publishedChanges++;
      w.hooks.onContainerStart?.(pod, true);
      this.scheduleChurn(pod);
    }
  }

  /** The EndpointSlice and ReplicaSet controllers run: KCM is the leader and reaches the API. */
  get isControllerUp(): boolean {
    return this.o.api.isReachable(CLASS_CONTROLLER) && (this.o.isControllerActive?.() ?? true);
  }

  // --- per-step housekeeping --------------------------------------------------------------------

  /** Called once per step: reachability transitions, pending kubelet posts, node scale-down. */
  tick(): void {
    const up = this.isControllerUp;
    if (up && !this.wasControllerUp) {
      // kube-controller-manager lost its leader lease while the API was gone and restarted; the new
      // leader resyncs every service and every ReplicaSet.
      for (const w of this.list) {
        w.writeFailures = 0;
        w.writeRetryAt = 0;
        w.createFailures = 0;
        w.createRetryAt = 0;
        if (w.isDirty) this.scheduleSync(w, 0);
        this.createReplacements(w);
      }
    }
    this.wasControllerUp = up;
    if (this.pendingStatus.size > 0 && this.o.api.isReachable(CLASS_KUBELET)) {
      for (const pod of this.pendingStatus) this.postStatusNow(pod);
      this.pendingStatus.clear();
    }
    const count = this.o.nodes.count;
    if (count < this.lastNodeCount) {
      for (let n = count; n < this.lastNodeCount; n++) {
        for (const pod of this.podsByNode.get(n) ?? []) if (pod.isAlive) this.killPod(pod);
        this.podsByNode.delete(n);
      }
    }
    this.lastNodeCount = count;
  }

  // --- pod lifecycle ------------------------------------------------------------------------------

  private newPod(w: Workload): PodRecord {
    const nodes = Math.max(1, this.o.nodes.count);
    const node = this.o.random.int(nodes);
    const pod: PodRecord = {
      id: this.nextPodId++,
      workload: w,
      node,
      isAlive: true,
      isUp: true,
      isReady: w.spec.isReadyOnStart,
      isTerminating: false,
      isApiReady: false,
      isPublished: false,
      isReplaced: false,
      inView: new Array<boolean>(VIEWS).fill(false),
      createdAt: this.o.sim.now,
    };
    w.pods.push(pod);
    w.version++;
    let onNode = this.podsByNode.get(node);
    if (!onNode) {
      onNode = [];
      this.podsByNode.set(node, onNode);
    }
    onNode.push(pod);
    return pod;
  }

  private setServing(pod: PodRecord, isAlive: boolean, isUp: boolean): void {
    const before = pod.isAlive && pod.isUp;
    if (pod.isAlive !== isAlive || pod.isUp !== isUp) pod.workload.version++;
    pod.isAlive = isAlive;
    pod.isUp = isUp;
    const after = isAlive && isUp;
    if (before === after) return;
    this.servingChanges++;
    const d = after ? 1 : -1;
    for (const t of pod.workload.trackers) if (pod.inView[t.slot]) t.inViewUp += d;
  }

  /** The pod's IP dies now (kubelet eviction, node loss): no graceful removal from the endpoints. */
  killPod(pod: PodRecord): void {
    if (!pod.isAlive) return;
    this.setServing(pod, false, false);
    pod.isReady = false;
    this.nodeLocalDeaths++;
    pod.workload.hooks.onContainerStop?.(pod, true);
    this.postStatus(pod);
  }

  /** Container down in place (same pod, same IP) for `downFor` seconds; the kubelet restarts it. */
  restartContainer(pod: PodRecord, downFor: number): void {
    if (!pod.isAlive || !pod.isUp) return;
    this.setServing(pod, true, false);
    const wasReady = pod.isReady;
    pod.isReady = false;
    pod.workload.hooks.onContainerStop?.(pod, false);
    if (wasReady) this.postStatus(pod);
    this.o.sim.schedule(
      downFor,
      () => {
        if (!pod.isAlive) return;
        this.setServing(pod, true, true);
        pod.workload.hooks.onContainerStart?.(pod, false);
        if (pod.workload.spec.isReadyOnStart) this.setReady(pod, true);
      },
      undefined,
    );
  }

  /** Readiness decided by the pod's own process (CoreDNS's ready plugin). */
  setReady(pod: PodRecord, isReady: boolean): void {
    if (pod.isReady === isReady || !pod.isAlive) return;
    pod.isReady = isReady;
    this.postStatus(pod);
  }

  /** Deletes a pod through the API (rollout, eviction API, scale-down): graceful. */
  private deleteViaApi(pod: PodRecord, replace: boolean): void {
    pod.isTerminating = true;
    this.markDirty(pod.workload);
    if (replace) {
      pod.isReplaced = true;
      pod.workload.pendingCreates++;
      this.createReplacements(pod.workload);
    }
    this.o.sim.schedule(
      TERMINATION_GRACE_PERIOD,
      () => {
        if (!pod.isAlive) return;
        this.setServing(pod, false, false);
        pod.isReady = false;
        pod.workload.hooks.onContainerStop?.(pod, true);
      },
      undefined,
    );
  }

  private scheduleChurn(pod: PodRecord): void {
    const spec = pod.workload.spec;
    if (spec.churnPerPodHour > 0) {
      const wait = this.o.random.exponential(spec.churnPerPodHour / 3600);
      this.o.sim.schedule(wait, () => this.churn(pod), undefined);
    }
    if (spec.restartsPerPodHour > 0) this.scheduleOrdinaryRestart(pod);
  }

  private scheduleOrdinaryRestart(pod: PodRecord): void {
    const wait = this.o.random.exponential(pod.workload.spec.restartsPerPodHour / 3600);
    this.o.sim.schedule(
      wait,
      () => {
        if (!pod.isAlive || pod.isTerminating) return;
        const handled = pod.workload.hooks.onOrdinaryRestart?.(pod) ?? false;
        if (!handled) this.restartContainer(pod, CONTAINER_RESTART_SECONDS);
        this.scheduleOrdinaryRestart(pod);
      },
      undefined,
    );
  }

  private churn(pod: PodRecord): void {
    if (!pod.isAlive || pod.isTerminating) return;
    const apiInitiated = this.o.random.next() < this.o.apiInitiatedChurnFraction;
    if (apiInitiated) {
      // Rollouts and evictions are requests to the API: while it is unreachable they do not start.
      if (this.isControllerUp) this.deleteViaApi(pod, true);
      else this.scheduleChurn(pod);
      return;
    }
    this.killPod(pod);
  }

  // --- kubelet status -----------------------------------------------------------------------------

  private postStatus(pod: PodRecord): void {
    if (this.o.api.isReachable(CLASS_KUBELET)) {
      this.o.sim.schedule(
        POD_STATUS_DELAY,
        () => {
          if (this.o.api.isReachable(CLASS_KUBELET)) this.postStatusNow(pod);
          else this.pendingStatus.add(pod);
        },
        undefined,
      );
    } else {
      this.pendingStatus.add(pod);
    }
  }

  private postStatusNow(pod: PodRecord): void {
    const apiReady = pod.isAlive && pod.isReady && this.o.nodes.isReady(pod.node);
    if (apiReady !== pod.isApiReady) {
      pod.isApiReady = apiReady;
      this.markDirty(pod.workload);
    }
    if (!pod.isAlive && !pod.isReplaced && !pod.isTerminating) {
      // The ReplicaSet controller sees the failed pod through the API and replaces it.
      pod.isReplaced = true;
      pod.workload.pendingCreates++;
      this.createReplacements(pod.workload);
    }
  }

  private onNodeReadyChange(node: number, ready: boolean): void {
    for (const pod of this.podsByNode.get(node) ?? []) {
      if (!ready) {
        // node-lifecycle controller MarkPodsNotReady: a write the controller already made.
        if (pod.isApiReady) {
          pod.isApiReady = false;
          this.markDirty(pod.workload);
        }
      } else if (pod.isAlive) {
        this.postStatus(pod);
      }
    }
  }

  // --- EndpointSlice controller --------------------------------------------------------------------

  markDirty(w: Workload): void {
    w.isDirty = true;
    this.scheduleSync(w, ENDPOINTSLICE_SYNC_DELAY);
  }

  private scheduleSync(w: Workload, delay: number): void {
    if (w.isSyncScheduled) return;
    w.isSyncScheduled = true;
    const at = Math.max(this.o.sim.now + delay, w.writeRetryAt);
    this.o.sim.scheduleAt(
      at,
      () => {
        w.isSyncScheduled = false;
        this.sync(w);
      },
      undefined,
    );
  }

  private sync(w: Workload): void {
    if (!w.isDirty || w.isWriteInFlight) return;
    // Paused while kube-controller-manager is without a leader; tick() resumes it.
    if (!this.isControllerUp) return;
    w.isDirty = false;
    w.isWriteInFlight = true;
    this.o.api.submit(
      {
        verb: 'update',
        resource: 'endpointslices',
        apiGroup: 'discovery.k8s.io',
        scope: 'namespace',
        namespace: 'default',
        identity: ENDPOINTSLICE_CONTROLLER_IDENTITY,
      },
      (outcome: ApiOutcome) => {
        w.isWriteInFlight = false;
        w.endpointWrites++;
        if (outcome.kind === 'ok') {
          w.writeFailures = 0;
          this.publish(w);
          if (w.isDirty) this.scheduleSync(w, ENDPOINTSLICE_SYNC_DELAY);
        } else {
          w.isDirty = true;
          const backoff = Math.min(
            ENDPOINTSLICE_BACKOFF_MAX,
            ENDPOINTSLICE_BACKOFF_BASE * 2 ** w.writeFailures,
          );
          w.writeFailures++;
          w.writeRetryAt = this.o.sim.now + backoff;
          this.scheduleSync(w, backoff);
        }
      },
    );
  }

  /** The slice now says what the API knows: ready, non-terminating pods. */
  private publish(w: Workload): void {
    const now = this.o.sim.now;
    let prune = false;
    for (const pod of w.pods) {
      // A dead pod whose status never reached the API stays in the slice: that is the stale endpoint.
      const want = pod.isApiReady && !pod.isTerminating;
      if (want !== pod.isPublished) {
        pod.isPublished = want;
        w.changes.push({ t: now, pod, isAdd: want });
        this.publishedChanges++;
      }
      if (!pod.isAlive && !pod.isPublished) prune = true;
    }
    if (prune) this.prune(w);
  }

  private prune(w: Workload): void {
    // Dead pods leave the records once no view holds them any more.
    let j = 0;
    for (const pod of w.pods) {
      const held = pod.inView.some((v) => v) || pod.isPublished || pod.isAlive;
      if (held) w.pods[j++] = pod;
    }
    w.pods.length = j;
    w.version++;
  }

  // --- ReplicaSet controller ------------------------------------------------------------------------

  /** Sets a workload's replica count through its controller (autoscaler). */
  setDesired(w: Workload, replicas: number): void {
    const diff = replicas - (w.activePods + w.pendingCreates);
    w.desired = replicas;
    if (diff > 0) {
      w.pendingCreates += diff;
      this.createReplacements(w);
    } else if (diff < 0) {
      let toRemove = -diff;
      if (w.pendingCreates > 0) {
        const cut = Math.min(w.pendingCreates, toRemove);
        w.pendingCreates -= cut;
        toRemove -= cut;
      }
      // ReplicaSet deletes not-ready pods first, then the newest.
      const candidates = w.pods.filter((p) => p.isAlive && !p.isTerminating);
      candidates.sort((a, b) => Number(a.isReady) - Number(b.isReady) || b.createdAt - a.createdAt);
      for (const pod of candidates.slice(0, toRemove)) this.deleteViaApi(pod, false);
    }
  }

  private createReplacements(w: Workload): void {
    while (w.pendingCreates > w.createsInFlight && this.isControllerUp && this.o.sim.now >= w.createRetryAt) {
      w.createsInFlight++;
      this.o.api.submit(
        {
          verb: 'create',
          resource: 'pods',
          apiGroup: '',
          scope: 'namespace',
          namespace: 'default',
          identity: REPLICASET_CONTROLLER_IDENTITY,
        },
        (outcome: ApiOutcome) => {
          w.createsInFlight--;
          if (outcome.kind === 'ok') {
            w.createFailures = 0;
            if (w.pendingCreates <= 0) return;
            w.pendingCreates--;
            // Scheduled, then started by the kubelet.
            this.o.sim.schedule(POD_START_SECONDS, () => this.startPod(w), undefined);
          } else {
            const backoff = Math.min(
              ENDPOINTSLICE_BACKOFF_MAX,
              ENDPOINTSLICE_BACKOFF_BASE * 2 ** w.createFailures,
            );
            w.createFailures++;
            w.createRetryAt = this.o.sim.now + backoff;
            this.o.sim.schedule(backoff, () => this.createReplacements(w), undefined);
          }
        },
      );
    }
  }

  private startPod(w: Workload): void {
    const pod = this.newPod(w);
    w.hooks.onContainerStart?.(pod, true);
    if (pod.isReady) this.postStatus(pod);
    this.scheduleChurn(pod);
  }
}
