/**
 * Ordinary cluster churn: pods replaced by their controllers at a steady rate, each replacement a
 * chain of writes by the components that do it in a real cluster (ReplicaSet controller create,
 * scheduler binding, kubelet status updates, EndpointSlice controller updates, then the old pod's
 * deletion). Each step waits for the previous one; a failed step ends the chain (the controller
 * requeues it later, which is not modelled). The rate is fitted below the SLO prerequisite of
 * at most 20 churn operations per second (§8).
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiOutcome, ApiRequest } from '../api-types.js';
import type { ParameterDeclaration } from '../component.js';
import type { ApiClient } from '../client/api-client.js';
import { nodeIdentity, serviceAccountIdentity } from '../client/identities.js';
import { makeRequest } from '../controlplane/serving.js';

/** Pod replacements per pod per hour. */
export const POD_CHURN_PER_POD_HOUR = 0.12;

export const CHURN_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'churn.podReplacementsPerPodHour',
    value: POD_CHURN_PER_POD_HOUR,
    unit: '1/(pod*hour)',
    source: 'fitted',
    fitted:
      '150k pods x 0.12/h = 5 replacements/s, about 40 writes/s: a busy cluster within the SLO prerequisite (churn <= 20 pod operations/s, sig-scalability slos.md).',
  },
];

export interface ChurnOptions {
  readonly cluster: string;
  readonly pods: () => number;
  readonly nodes: () => number;
  /** ReplicaSet controller's client (its own rate limiter with --use-service-account-credentials). */
  readonly replicaSetController: ApiClient;
  readonly endpointSliceController: ApiClient;
  readonly scheduler: ApiClient;
  readonly kubelet: ApiClient;
  /** Only while the controllers run (KCM leading). */
  readonly isKcmActive: () => boolean;
  /**
   * Aggregate fidelity: replacements are grouped into cohorts arriving about this often (seconds),
   * each chain of requests carrying count = replacements in the cohort. 0 = one chain per replacement.
   */
  readonly cohortInterval: number;
}

interface Chain {
  readonly steps: readonly ApiRequest[];
  at: number;
}

function onArrival(c: PodChurn): void {
  c.arrive();
}

export class PodChurn {
  private readonly random;
  private readonly rs = serviceAccountIdentity('kube-system', 'replicaset-controller', 'controller-manager');
  private readonly eps = serviceAccountIdentity(
    'kube-system',
    'endpointslice-controller',
    'controller-manager',
  );
  private readonly schedulerIdentity = {
    user: 'system:kube-scheduler',
    groups: ['system:authenticated'],
    clientClass: 'scheduler',
  };
  private readonly chains = new Map<number, readonly ApiRequest[]>();
  private readonly fixed: {
    readonly create: ApiRequest;
    readonly bind: ApiRequest;
    readonly endpoints: ApiRequest;
    readonly remove: ApiRequest;
  };

  constructor(
    private readonly sim: Simulation,
    private readonly options: ChurnOptions,
  ) {
    this.random = sim.random(`${options.cluster}/churn`);
    this.fixed = this.buildRequests();
    this.scheduleNext();
  }

  private rate(): number {
    return (this.options.pods() * POD_CHURN_PER_POD_HOUR) / 3600;
  }

  /** Replacements per arrival: 1 exactly, or a cohort of about rate x interval. */
  private cohort(): number {
    const interval = this.options.cohortInterval;
    return interval > 0 ? Math.max(1, Math.round(this.rate() * interval)) : 1;
  }

  private scheduleNext(): void {
    const rate = this.rate() / this.cohort();
    if (rate > 0) this.sim.schedule(this.random.exponential(rate), onArrival, this);
    else this.sim.schedule(60, onArrival, this);
  }

  arrive(): void {
    this.scheduleNext();
    if (this.rate() <= 0 || !this.options.isKcmActive()) return;
    const node = this.random.int(Math.max(1, this.options.nodes()));
    this.step({ steps: this.stepsFor(node, this.cohort()), at: 0 });
  }

  /** The chain's requests for a pod on `node` (kept per node: servers cache per request object). */
  private stepsFor(node: number, count: number): readonly ApiRequest[] {
    const key = node * 65536 + count;
    const cached = this.chains.get(key);
    if (cached !== undefined) return cached;
    const kubelet = nodeIdentity(node);
    const ns = { scope: 'namespace' as const, namespace: 'default' };
    const fixed = count === 1 ? this.fixed : this.fixedFor(count);
    const steps: ApiRequest[] = [
      fixed.create,
      fixed.bind,
      makeRequest({ verb: 'patch', resource: 'pods/status', apiGroup: '', ...ns, identity: kubelet, count }),
      fixed.endpoints,
      fixed.remove,
      fixed.endpoints,
    ];
    // The kubelet posts status twice on start (Running, Ready) and once on stop.
    steps.splice(3, 0, steps[2]!);
    steps.splice(6, 0, steps[2]!);
    if (this.chains.size < 20_000) this.chains.set(key, steps);
    return steps;
  }

  private readonly fixedByCount = new Map<number, PodChurn['fixed']>();

  /** The four requests one pod replacement makes, for a cohort of `count` (exact path: none). */
  private buildRequests(count?: number): PodChurn['fixed'] {
    const ns = {
      scope: 'namespace' as const,
      namespace: 'default',
      apiGroup: '',
      ...(count === undefined ? {} : { count }),
    };
    return {
      create: makeRequest({ verb: 'create', resource: 'pods', ...ns, identity: this.rs }),
      bind: makeRequest({
        verb: 'create',
        resource: 'pods/binding',
        ...ns,
        identity: this.schedulerIdentity,
      }),
      endpoints: makeRequest({
        verb: 'update',
        resource: 'endpointslices',
        ...ns,
        apiGroup: 'discovery.k8s.io',
        identity: this.eps,
      }),
      remove: makeRequest({ verb: 'delete', resource: 'pods', ...ns, identity: this.rs }),
    };
  }

  private fixedFor(count: number): PodChurn['fixed'] {
    let f = this.fixedByCount.get(count);
    if (f === undefined) {
      f = this.buildRequests(count);
      this.fixedByCount.set(count, f);
    }
    return f;
  }

  private clientFor(request: ApiRequest): ApiClient {
    const cls = request.identity.clientClass;
    if (cls === 'scheduler') return this.options.scheduler;
    if (cls === 'kubelet') return this.options.kubelet;
    return request.identity === this.eps
      ? this.options.endpointSliceController
      : this.options.replicaSetController;
  }

  private step(chain: Chain): void {
    const request = chain.steps[chain.at];
    if (request === undefined) return;
    this.clientFor(request).call(request, (o: ApiOutcome) => {
      if (o.kind !== 'ok') return;
      chain.at++;
      this.step(chain);
    });
  }
}
