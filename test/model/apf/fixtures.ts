import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import { createSimulation, type Simulation, seconds } from '../../../src/engine/index.js';
import { type ApfFilter, type ApfInspection, createApfFilter } from '../../../src/model/apf/index.js';
import type { ApiRequest, Identity, RejectReason, Verb } from '../../../src/model/api-types.js';
import { createEventLog } from '../../../src/model/component.js';

export const kubelet = (node: number): Identity => ({
  user: `system:node:node-${node}`,
  groups: ['system:nodes', 'system:authenticated'],
  clientClass: 'kubelet',
});

export const serviceAccount = (namespace: string, name: string): Identity => ({
  user: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  namespace,
  clientClass: 'agent',
});

export const admin: Identity = {
  user: 'kubernetes-admin',
  groups: ['system:masters', 'system:authenticated'],
  clientClass: 'operator',
};

export function request(
  identity: Identity,
  verb: Verb,
  resource: string,
  extra: Partial<Omit<ApiRequest, 'identity' | 'verb' | 'resource'>> = {},
): ApiRequest {
  const apiGroup = extra.apiGroup ?? (resource === 'leases' ? 'coordination.k8s.io' : '');
  const scope = extra.scope ?? (extra.namespace === undefined ? 'cluster' : 'namespace');
  return { ...extra, identity, verb, resource, apiGroup, scope };
}

export interface Harness {
  readonly sim: Simulation;
  readonly filter: ApfFilter & ApfInspection;
  readonly events: ReturnType<typeof createEventLog>['events'];
}

export function harness(
  options: {
    mode?: 'apf' | 'max-in-flight';
    maxRequestsInflight?: number;
    maxMutatingRequestsInflight?: number;
    flowSchemas?: readonly FlowSchema[];
    priorityLevels?: readonly PriorityLevelConfiguration[];
    seed?: number;
  } = {},
): Harness {
  const sim = createSimulation({ seed: options.seed ?? 1 });
  const log = createEventLog();
  const filter = createApfFilter(sim, {
    id: 'apiserver-0',
    cluster: 'test',
    log,
    mode: options.mode ?? 'apf',
    maxRequestsInflight: options.maxRequestsInflight ?? 400,
    maxMutatingRequestsInflight: options.maxMutatingRequestsInflight ?? 200,
    flowSchemas: options.flowSchemas ?? [],
    priorityLevels: options.priorityLevels ?? [],
  });
  return { sim, filter, events: log.events };
}

export interface Outcome {
  readonly submittedAt: number;
  /** Time the dispatch or reject callback fired. */
  decidedAt: number;
  dispatched: boolean;
  reason: RejectReason | null;
  retryAfter: number;
  callbacks: number;
  release: (() => void) | null;
}

const callRelease = (release: () => void): void => release();

/**
 * Submits a request through classify, estimateWork and handle, as the replica does. The handler then
 * runs for `serviceTime` seconds (never, if Infinity) before releasing its seats.
 */
export function submit(
  h: Harness,
  req: ApiRequest,
  options: {
    serviceTime?: number;
    waitLimit?: number;
    numStored?: number;
    servedFromCache?: boolean;
    watchers?: number;
  } = {},
): Outcome {
  const c = h.filter.classify(req);
  const work = h.filter.estimateWork(req, c, {
    numStored: options.numStored ?? 0,
    servedFromCache: options.servedFromCache ?? true,
    watchers: options.watchers ?? 0,
  });
  const outcome: Outcome = {
    submittedAt: h.sim.now,
    decidedAt: Number.NaN,
    dispatched: false,
    reason: null,
    retryAfter: Number.NaN,
    callbacks: 0,
    release: null,
  };
  const serviceTime = options.serviceTime ?? 0.05;
  h.filter.handle(
    req,
    c,
    work,
    options.waitLimit ?? 15,
    (release) => {
      outcome.callbacks++;
      outcome.decidedAt = h.sim.now;
      outcome.dispatched = true;
      outcome.release = release;
      if (Number.isFinite(serviceTime)) h.sim.schedule(serviceTime, callRelease, release);
    },
    (reason, retryAfter) => {
      outcome.callbacks++;
      outcome.decidedAt = h.sim.now;
      outcome.reason = reason;
      outcome.retryAfter = retryAfter;
    },
  );
  return outcome;
}

export function level(h: Harness, name: string) {
  const found = h.filter.levels().find((l) => l.name === name);
  if (found === undefined) throw new Error(`no level ${name}`);
  return found;
}

/** Calls `fn` every `interval` seconds from `start` until `end` (exclusive). */
export function every(sim: Simulation, start: number, end: number, interval: number, fn: () => void): void {
  const step = (): void => {
    fn();
    if (sim.now + interval < end) sim.schedule(interval, step, undefined);
  };
  sim.scheduleAt(start, step, undefined);
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** A Limited PLC with fixed seats (no lending, no borrowing). */
export function fixedLevel(
  name: string,
  shares: number,
  queuing: { queues: number; handSize: number; queueLengthLimit: number } | null,
): PriorityLevelConfiguration {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name },
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: shares,
        lendablePercent: 0,
        borrowingLimitPercent: 0,
        limitResponse: queuing === null ? { type: 'Reject' } : { type: 'Queue', queuing },
      },
    },
  };
}

export function flowSchemaFor(
  name: string,
  priorityLevel: string,
  precedence: number,
  users: readonly string[],
  distinguisher: 'ByUser' | 'ByNamespace' = 'ByUser',
): FlowSchema {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence: precedence,
      distinguisherMethod: { type: distinguisher },
      rules: [
        {
          subjects: users.map((u) => ({ kind: 'User', user: { name: u } })),
          resourceRules: [
            { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true },
          ],
        },
      ],
    },
  };
}

/** Runs the simulation until simulated time `t` (seconds). */
export function runUntil(h: Harness, t: number): number {
  return h.sim.run({ until: seconds(t) });
}
