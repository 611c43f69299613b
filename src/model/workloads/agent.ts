/**
 * A generic API client process driven by a workload's access profiles: one instance per pod (per
 * node for a DaemonSet), or per block of identical pods in aggregate fidelity.
 *
 * - 'poll' profiles call, wait period x (1 + jitter x U) after the call ends (wait.JitterUntil,
 *   sliding), and call again; LISTs served from etcd with a limit follow continue tokens;
 * - 'watch' profiles run an informer (reflector semantics, client/reflector.ts);
 * - every call goes through a client-go REST client with the profile's QPS/burst/timeout;
 * - with restartOnApiFailure, a pod whose API calls have failed for the liveness window is
 *   restarted by the kubelet after the container back-off: the new process has a fresh rate
 *   limiter and reflector back-off and starts with a full LIST.
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiOutcome, Identity } from '../api-types.js';
import type { AccessProfile } from '../config.js';
import { type ApiClient, createApiClient } from '../client/api-client.js';
import { createReflector, type Reflector } from '../client/reflector.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { ObjectStore } from '../controlplane/object-store.js';
import { CRASH_LOOP_INITIAL, CRASH_LOOP_MAX, CRASH_LOOP_RESET } from '../controlplane/parameters.js';
import { hasSelector, makeRequest, type ServerRequest } from '../controlplane/serving.js';
import type { EventLog, ParameterDeclaration } from '../component.js';

/** Liveness probe period 10 s x failureThreshold 3: a pod whose API calls fail this long is restarted. */
export const LIVENESS_WINDOW = 30;

export const AGENT_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'agent.livenessWindow',
    value: LIVENESS_WINDOW,
    unit: 'seconds',
    source:
      'Pod probe defaults periodSeconds 10 x failureThreshold 3 (k8s API reference); applies when restartOnApiFailure (k8s-mechanics §5.3)',
  },
];

export interface AgentContext {
  readonly sim: Simulation;
  readonly api: ClusterApi;
  readonly store: ObjectStore;
  readonly log: EventLog;
  readonly cluster: string;
  readonly podsPerNode: number;
  readonly identity: Identity;
  readonly workload: string;
  readonly profiles: readonly AccessProfile[];
  readonly restartOnApiFailure: boolean;
  /** Counts agent restarts and API failures for metrics. */
  readonly onRestart: (count: number) => void;
  /** The instance's `count` pods started (+count) or stopped (-count) running. */
  readonly onRunning: (delta: number) => void;
}

/** Objects a profile's call returns, from the cluster's shape. */
export function profileReturns(profile: AccessProfile, store: ObjectStore, podsPerNode: number): number {
  switch (profile.returns.kind) {
    case 'fixed':
      return profile.returns.objects;
    case 'all':
      return store.get(profile.resource).count;
    case 'per-node':
      if (profile.resource === 'pods') return podsPerNode + store.extraPodsPerNode;
      return 1;
  }
}

export function profileRequest(
  profile: AccessProfile,
  ctx: AgentContext,
  count: number,
  expected: number,
  isContinue = false,
): ServerRequest {
  return makeRequest({
    verb: profile.verb,
    resource: profile.resource,
    apiGroup: profile.apiGroup,
    scope: profile.scope,
    identity: ctx.identity,
    rv: isContinue ? 'continue' : profile.rv,
    hasLabelSelector: profile.labelSelector,
    hasFieldSelector: profile.fieldSelector,
    expectedReturned: expected,
    limit: profile.limit,
    count,
    namespace: profile.scope === 'namespace' ? (ctx.identity.namespace ?? 'default') : '',
    timeout: profile.client.timeout,
  });
}

const OK: ApiOutcome = { kind: 'ok', status: 200, latency: 0 as ApiOutcome['latency'] };
const FAILED: ApiOutcome = { kind: 'unreachable', status: 0, latency: 0 as ApiOutcome['latency'] };

function onPoll(loop: PollLoop): void {
  loop.poll();
}
function onAgentRestart(agent: AgentInstance): void {
  agent.start();
}

class PollLoop {
  private timer = -1;
  private epoch = 0;
  private readonly random;

  constructor(
    private readonly agent: AgentInstance,
    readonly profile: AccessProfile,
    private readonly client: ApiClient,
    name: string,
  ) {
    this.random = agent.ctx.sim.random(`${agent.ctx.cluster}/agent/${name}`);
  }

  start(): void {
    this.epoch++;
    this.poll();
  }

  stop(): void {
    this.epoch++;
    if (this.timer !== -1) this.agent.ctx.sim.cancel(this.timer);
    this.timer = -1;
    this.client.reset();
  }

  poll(): void {
    this.timer = -1;
    const ctx = this.agent.ctx;
    const expected = profileReturns(this.profile, ctx.store, ctx.podsPerNode);
    const request = this.agent.requestFor(this.profile, expected, false);
    const epoch = this.epoch;
    this.client.call(request, (o) => this.done(epoch, request, o, 1));
  }

  private done(epoch: number, request: ServerRequest, o: ApiOutcome, page: number): void {
    if (epoch !== this.epoch) return;
    this.agent.observe(o);
    if (epoch !== this.epoch) return;
    const limit = request.limit ?? 0;
    if (o.kind === 'ok' && o.servedFrom === 'etcd' && limit > 0 && !hasSelector(request)) {
      const pages = Math.ceil(this.agent.ctx.store.get(this.profile.resource).count / limit);
      if (page < pages) {
        const next = this.agent.requestFor(this.profile, limit, true);
        this.client.call(next, (r) => this.done(epoch, next, r, page + 1));
        return;
      }
    }
    const wait = this.profile.period * (1 + this.profile.jitter * this.random.next());
    this.timer = this.agent.ctx.sim.schedule(Math.max(wait, 0.001), onPoll, this);
  }
}

/** One pod of the workload (or a block of identical pods). */
export class AgentInstance {
  isRunning = false;
  /** Stopped for good (pod deleted, node removed, kill switch). */
  isTerminated = false;
  private failingSince = 0;
  private failing = false;
  private startedAt = 0;
  private crashLoop = 0;
  private restartTimer = -1;
  private readonly polls: PollLoop[] = [];
  private readonly informers: Reflector[] = [];
  private readonly requests = new Map<AccessProfile, ServerRequest>();
  restarts = 0;

  constructor(
    readonly ctx: AgentContext,
    readonly name: string,
    readonly count: number,
  ) {
    ctx.profiles.forEach((profile, i) => {
      const client = createApiClient(ctx.sim, ctx.api, {
        name: `${name}/${profile.name}`,
        rate: profile.client,
        isPerMember: true,
      });
      if (profile.mode === 'poll') {
        this.polls.push(new PollLoop(this, profile, client, `${name}/${i}`));
        return;
      }
      this.informers.push(
        createReflector(ctx.sim, ctx.api, {
          name: `${name}/${profile.name}`,
          identity: ctx.identity,
          resource: profile.resource,
          apiGroup: profile.apiGroup,
          scope: profile.scope,
          ...(profile.scope === 'namespace' ? { namespace: ctx.identity.namespace ?? 'default' } : {}),
          hasFieldSelector: profile.fieldSelector,
          hasLabelSelector: profile.labelSelector,
          objects: () => profileReturns(profile, ctx.store, ctx.podsPerNode),
          expectedReturned: () => profileReturns(profile, ctx.store, ctx.podsPerNode),
          client: profile.client,
          log: ctx.log,
          cluster: ctx.cluster,
          count,
          apiClient: client,
          onAttempt: (isOk) => this.observe(isOk ? OK : FAILED),
        }),
      );
    });
  }

  requestFor(profile: AccessProfile, expected: number, isContinue: boolean): ServerRequest {
    if (isContinue) return profileRequest(profile, this.ctx, this.count, expected, true);
    const cached = this.requests.get(profile);
    if (cached !== undefined && cached.expectedReturned === expected) return cached;
    const request = profileRequest(profile, this.ctx, this.count, expected);
    this.requests.set(profile, request);
    return request;
  }

  start(): void {
    this.restartTimer = -1;
    if (this.isTerminated) return;
    if (!this.isRunning) this.ctx.onRunning(this.count);
    this.isRunning = true;
    this.failing = false;
    this.startedAt = this.ctx.sim.now;
    for (const p of this.polls) p.start();
    for (const i of this.informers) i.start();
  }

  /** Ends the process (no restart). */
  terminate(): void {
    this.isTerminated = true;
    this.halt();
    if (this.restartTimer !== -1) this.ctx.sim.cancel(this.restartTimer);
    this.restartTimer = -1;
  }

  private halt(): void {
    if (this.isRunning) this.ctx.onRunning(-this.count);
    this.isRunning = false;
    for (const p of this.polls) p.stop();
    for (const i of this.informers) i.stop();
  }

  /** Every finished call: liveness bookkeeping. */
  observe(o: ApiOutcome): void {
    const now = this.ctx.sim.now;
    if (o.kind === 'ok') {
      this.failing = false;
      return;
    }
    // The liveness probe fails from the first failed call on; three failed probes (30 s) restart it.
    if (!this.failing) this.failingSince = now;
    this.failing = true;
    if (!this.ctx.restartOnApiFailure || !this.isRunning) return;
    if (now - this.failingSince >= LIVENESS_WINDOW) this.restart();
  }

  private restart(): void {
    const sim = this.ctx.sim;
    this.halt();
    this.restarts += this.count;
    this.ctx.onRestart(this.count);
    if (sim.now - this.startedAt > CRASH_LOOP_RESET) this.crashLoop = 0;
    const delay = this.crashLoop === 0 ? CRASH_LOOP_INITIAL : this.crashLoop;
    this.crashLoop = Math.min(CRASH_LOOP_MAX, delay * 2);
    this.restartTimer = sim.schedule(delay, onAgentRestart, this);
  }

  /** For 'watch' profiles the informers report failures only through sync state. */
  get isFailing(): boolean {
    return this.failing;
  }
}
