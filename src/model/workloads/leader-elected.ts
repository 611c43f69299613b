/**
 * A leader-elected control-plane process (kube-controller-manager, kube-scheduler): it renews its
 * lease every retryPeriod (2 s); if no renewal succeeds for renewDeadline (10 s) it exits
 * ("leaderelection lost"), restarts after a container back-off, waits for the old lease to expire
 * (leaseDuration 15 s after its last renewal), acquires it and starts its informers from scratch:
 * cluster-wide LISTs (component-base@v0.31.0 config/v1alpha1/defaults.go, §5.4; client-go
 * tools/leaderelection).
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiOutcome, Identity } from '../api-types.js';
import type { Component, EventLog, MetricDeclaration, ParameterDeclaration } from '../component.js';
import type { ClientRateConfig } from '../config.js';
import { type ApiClient, createApiClient } from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import { createReflector, type Reflector } from '../client/reflector.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { ObjectStore } from '../controlplane/object-store.js';
import { CRASH_LOOP_INITIAL, CRASH_LOOP_MAX, CRASH_LOOP_RESET } from '../controlplane/parameters.js';
import { makeRequest, type ServerRequest } from '../controlplane/serving.js';
import type { ControllerHost } from '../nodes/node-lifecycle.js';

export const LEASE_DURATION = 15;
export const RENEW_DEADLINE = 10;
export const RETRY_PERIOD = 2;

export const LEADER_ELECTION_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'leaderElection.leaseDuration',
    value: LEASE_DURATION,
    unit: 'seconds',
    source: 'component-base@v0.31.0 config/v1alpha1/defaults.go (§5.4)',
  },
  {
    name: 'leaderElection.renewDeadline',
    value: RENEW_DEADLINE,
    unit: 'seconds',
    source: 'component-base@v0.31.0 config/v1alpha1/defaults.go (§5.4)',
  },
  {
    name: 'leaderElection.retryPeriod',
    value: RETRY_PERIOD,
    unit: 'seconds',
    source: 'component-base@v0.31.0 config/v1alpha1/defaults.go (§5.4)',
  },
];

export interface InformerSpec {
  readonly resource: string;
  readonly apiGroup: string;
}

export interface LeaderElectedOptions {
  readonly name: string;
  readonly cluster: string;
  readonly identity: Identity;
  readonly rate: ClientRateConfig;
  readonly informers: readonly InformerSpec[];
  readonly api: ClusterApi;
  readonly store: ObjectStore;
  readonly log: EventLog;
}

const STARTING = 0;
const ACQUIRING = 1;
const LEADING = 2;
const DEAD = 3;

function onRenew(p: LeaderElectedProcess): void {
  p.renew();
}
function onAcquire(p: LeaderElectedProcess): void {
  p.acquire();
}
function onRestart(p: LeaderElectedProcess): void {
  p.boot();
}

export class LeaderElectedProcess implements Component, ControllerHost {
  readonly id: string;
  private state = STARTING;
  private epoch = 0;
  private lastRenew = 0;
  timer = -1;
  private startedAt = 0;
  private crashLoop = 0;
  private wasActive = false;
  readonly client: ApiClient;
  readonly informers: Reflector[];
  private readonly startListeners: (() => void)[] = [];
  private readonly leaseUpdate: ServerRequest;
  private readonly leaseGet: ServerRequest;
  restarts = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly options: LeaderElectedOptions,
  ) {
    this.id = options.name;
    this.client = createApiClient(sim, options.api, { name: options.name, rate: options.rate });
    const store = options.store;
    this.informers = options.informers.map((spec) =>
      createReflector(sim, options.api, {
        name: `${options.name}/${spec.resource}`,
        identity: options.identity,
        resource: spec.resource,
        apiGroup: spec.apiGroup,
        objects: () => store.get(spec.resource).count,
        client: options.rate,
        log: options.log,
        cluster: options.cluster,
        apiClient: this.client,
      }),
    );
    const lease = {
      resource: 'leases',
      apiGroup: 'coordination.k8s.io',
      scope: 'namespace' as const,
      namespace: 'kube-system',
      identity: options.identity,
      timeout: RENEW_DEADLINE,
    };
    this.leaseUpdate = makeRequest({ ...lease, verb: 'update' });
    this.leaseGet = makeRequest({ ...lease, verb: 'get' });
  }

  get isLeading(): boolean {
    return this.state === LEADING;
  }

  /** Leading with every informer synced: the controllers run. */
  get isActive(): boolean {
    if (this.state !== LEADING) return false;
    for (const inf of this.informers) if (!inf.hasSynced) return false;
    return true;
  }

  get leaseInformer(): Informer {
    return this.informerFor('leases');
  }

  informerFor(resource: string): Reflector {
    const index = this.options.informers.findIndex((s) => s.resource === resource);
    if (index < 0) throw new Error(`${this.id} has no ${resource} informer`);
    return this.informers[index]!;
  }

  onStart(listener: () => void): void {
    this.startListeners.push(listener);
  }

  /** The state at t = 0: leading, informers synced and watching. */
  startWarm(): void {
    this.state = LEADING;
    this.startedAt = this.sim.now;
    this.lastRenew = this.sim.now;
    this.wasActive = true;
    for (const inf of this.informers) inf.startWarm();
    this.timer = this.sim.schedule(
      RETRY_PERIOD * this.sim.random(`${this.options.cluster}/${this.id}`).next(),
      onRenew,
      this,
    );
  }

  /** Process start: acquire the lease, then list and watch everything. */
  boot(): void {
    this.timer = -1;
    this.epoch++;
    this.state = ACQUIRING;
    this.startedAt = this.sim.now;
    this.client.reset();
    this.acquire();
  }

  acquire(): void {
    this.timer = -1;
    if (this.state !== ACQUIRING) return;
    const epoch = this.epoch;
    this.client.call(this.leaseGet, (o) => {
      if (epoch !== this.epoch) return;
      // The old holder's lease must expire first (its renewTime + leaseDuration).
      if (o.kind !== 'ok' || this.sim.now < this.lastRenew + LEASE_DURATION) {
        this.timer = this.sim.schedule(RETRY_PERIOD, onAcquire, this);
        return;
      }
      this.client.call(this.leaseUpdate, (u) => {
        if (epoch !== this.epoch) return;
        if (u.kind !== 'ok') {
          this.timer = this.sim.schedule(RETRY_PERIOD, onAcquire, this);
          return;
        }
        this.becomeLeader();
      });
    });
  }

  private becomeLeader(): void {
    this.state = LEADING;
    this.lastRenew = this.sim.now;
    this.wasActive = false;
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'leader-elected',
      severity: 'info',
      message: `${this.id} acquired its lease; starting informers (${this.informers.length} cluster-wide LISTs)`,
    });
    for (const inf of this.informers) {
      inf.onSynced(() => this.checkActive());
      inf.start();
    }
    this.timer = this.sim.schedule(RETRY_PERIOD, onRenew, this);
  }

  private checkActive(): void {
    if (this.wasActive || !this.isActive) return;
    this.wasActive = true;
    for (const l of this.startListeners) l();
  }

  renew(): void {
    this.timer = -1;
    if (this.state !== LEADING) return;
    const epoch = this.epoch;
    this.client.call(this.leaseUpdate, (o: ApiOutcome) => {
      if (epoch !== this.epoch || this.state !== LEADING) return;
      if (o.kind === 'ok') this.lastRenew = this.sim.now;
      if (this.sim.now - this.lastRenew >= RENEW_DEADLINE) {
        this.die('leaderelection lost');
        return;
      }
      this.timer = this.sim.schedule(RETRY_PERIOD, onRenew, this);
    });
  }

  private die(reason: string): void {
    this.state = DEAD;
    this.epoch++;
    this.restarts++;
    this.wasActive = false;
    for (const inf of this.informers) inf.stop();
    this.client.reset();
    if (this.sim.now - this.startedAt > CRASH_LOOP_RESET) this.crashLoop = 0;
    const delay = this.crashLoop;
    this.crashLoop = this.crashLoop === 0 ? CRASH_LOOP_INITIAL : Math.min(CRASH_LOOP_MAX, this.crashLoop * 2);
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'leader-election-lost',
      severity: 'critical',
      message: `${this.id}: ${reason}; the process exits and restarts in ${delay} s, then relists everything`,
    });
    this.timer = this.sim.schedule(delay, onRestart, this);
  }

  metrics(): readonly MetricDeclaration[] {
    return [
      {
        name: 'leader_election_master_status',
        labels: { name: this.id },
        unit: 'boolean',
        help: '1 while the process holds its lease with synced informers (controllers running)',
        read: () => (this.isActive ? 1 : 0),
      },
    ];
  }

  parameters(): readonly ParameterDeclaration[] {
    return LEADER_ELECTION_PARAMETERS;
  }
}
