/**
 * Runs a response playbook against a fleet: actions start after their trigger plus a decision
 * delay, queue for a limited number of operators, wait for prerequisites (a responsive API) and
 * take effect through the same mechanisms as everything else (API requests, cloud-side scaling,
 * network blocks). Nothing here knows when the incident "should" end.
 */
import { type Simulation, seconds } from '../../engine/index.js';
import type { ApiOutcome, Identity } from '../api-types.js';
import type { EventLog } from '../component.js';
import type { ClusterHandle } from '../cluster-types.js';
import type { ResponseAction, ResponseConfig } from './types.js';

/** kubectl as an on-call admin: cluster-admin through an OIDC group, not system:masters, so it lands in global-default. */
export const OPERATOR_IDENTITY: Identity = {
  user: 'oncall-admin',
  groups: ['oncall', 'system:authenticated'],
  clientClass: 'operator',
};

export interface ResponseTargets {
  readonly clusters: readonly ClusterHandle[];
  /** A cluster showing trouble now (alerts firing, API failing or services impacted). */
  isAffected(cluster: ClusterHandle): boolean;
  /** A cluster whose customers see impact now (default: affected). */
  isImpacted?(cluster: ClusterHandle): boolean;
  shiftTraffic(cluster: ClusterHandle, away: boolean): void;
}

export interface Playbook {
  /** Fleet-level trigger: the first alert fired. */
  notifyDetection(): void;
  notifyCustomerImpact(): void;
  /** Seconds of the first failed rollback attempt, or null. */
  readonly firstRollbackFailure: number | null;
  readonly firstActionAt: number | null;
  /**
   * Seconds from a fleet-level trigger that has not fired yet (detection, customer impact) to the
   * earliest thing it can make the playbook do (its actions' shortest decision delay); Infinity when
   * no such trigger is left. Everything else the playbook does follows its own timers or the answers
   * to its API calls.
   */
  readonly reactionDelay: number;
}

interface Task {
  readonly action: ResponseAction;
  readonly cluster: ClusterHandle;
  attempts: number;
  /** When an operator (or automation) last took it up, seconds. */
  begunAt: number;
}

const RESCAN_PERIOD = 60;

/** One task per (action, cluster): the key of `started`. */
const taskKey = (action: ResponseAction, cluster: ClusterHandle): string =>
  `${action.id}\u0000${cluster.config.name}`;
/** How often an operator re-runs `kubectl get pods` while a deleted workload's pods drain, seconds (fitted). */
const POD_CHECK_PERIOD = 30;

export function createPlaybook(
  sim: Simulation,
  config: ResponseConfig,
  targets: ResponseTargets,
  log: EventLog,
): Playbook {
  const waiting: Task[] = [];
  let busy = 0;
  let firstRollbackFailure: number | null = null;
  let firstActionAt: number | null = null;
  const started = new Set<string>(); // taskKey
  const originalNodes = new Map<ClusterHandle, number>();
  const firedTriggers = new Set<string>();
  /** When each (cluster, client class) was last unblocked. */
  const lastUnblock = new Map<string, number>();
  const classKey = (cluster: ClusterHandle, clientClass: string): string =>
    `${cluster.config.name}\u0000${clientClass}`;

  const record = (
    cluster: ClusterHandle,
    kind: string,
    message: string,
    severity: 'info' | 'warning' = 'info',
  ) => log.record({ t: sim.now, cluster: cluster.config.name, kind, severity, message });

  const isImpacted = targets.isImpacted ?? targets.isAffected;
  /** Whether a cluster matches a condition-based selection now (affected, impacted). */
  const matchesNow = (action: ResponseAction, c: ClusterHandle): boolean =>
    action.clusters === 'impacted' ? isImpacted(c) : targets.isAffected(c);
  const isConditional = (action: ResponseAction): boolean =>
    action.clusters === 'affected' || action.clusters === 'impacted';

  const selectClusters = (action: ResponseAction): ClusterHandle[] => {
    if (action.clusters === 'all') return [...targets.clusters];
    if (isConditional(action)) return targets.clusters.filter((c) => matchesNow(action, c));
    const names = new Set(action.clusters);
    return targets.clusters.filter((c) => names.has(c.config.name));
  };

  const enqueue = (action: ResponseAction, cluster: ClusterHandle): void => {
    const key = taskKey(action, cluster);
    if (started.has(key)) return;
    started.add(key);
    const task: Task = { action, cluster, attempts: 0, begunAt: sim.now };
    if (action.manual) {
      waiting.push(task);
      dispatch();
    } else {
      begin(task);
    }
  };

  const dispatch = (): void => {
    while (busy < config.operators && waiting.length > 0) {
      const task = waiting.shift()!;
      busy++;
      begin(task);
    }
  };

  const release = (task: Task): void => {
    if (task.action.manual) {
      busy--;
      dispatch();
    }
  };

  const retryLater = (task: Task, why: string): void => {
    release(task);
    if (task.attempts >= task.action.maxAttempts) {
      record(
        task.cluster,
        'response-action-abandoned',
        `${task.action.id}: gave up after ${task.attempts} attempts (${why})`,
        'warning',
      );
      return;
    }
    sim.schedule(task.action.retryEvery, requeue, task);
  };

  function requeue(task: Task): void {
    if (task.action.manual) {
      waiting.push(task);
      dispatch();
    } else begin(task);
  }

  function begin(task: Task): void {
    // An operator who gets to a cluster that has meanwhile recovered does not act on it: a scale-down
    // or a network block queued behind other clusters would only do harm there.
    if (task.attempts === 0 && isConditional(task.action) && task.action.trigger.after !== 'action') {
      if (!matchesNow(task.action, task.cluster)) {
        record(
          task.cluster,
          'response-action-skipped',
          `${task.action.id}: the cluster is no longer ${task.action.clusters}`,
        );
        // Not done, only not needed now: the rescan takes the cluster up again if it relapses.
        started.delete(taskKey(task.action, task.cluster));
        release(task);
        return;
      }
    }
    task.attempts++;
    task.begunAt = sim.now;
    if (firstActionAt === null) firstActionAt = sim.now;
    if (task.attempts === 1)
      record(task.cluster, 'response-action-started', `${task.action.id} (${task.action.spec.kind})`);
    if (task.action.requiresApi) {
      task.cluster.api.submit(
        {
          verb: 'get',
          resource: 'namespaces',
          apiGroup: '',
          scope: 'resource',
          identity: OPERATOR_IDENTITY,
          timeout: seconds(10),
        },
        (outcome) => {
          if (outcome.kind !== 'ok') retryLater(task, `API probe answered ${describe(outcome)}`);
          else sim.schedule(task.action.duration, perform, task);
        },
      );
    } else {
      sim.schedule(task.action.duration, perform, task);
    }
  }

  function perform(task: Task): void {
    const { cluster, action } = task;
    const spec = action.spec;
    switch (spec.kind) {
      case 'kubectl-rollback':
        cluster.removeWorkloadViaApi(spec.workload, OPERATOR_IDENTITY, (outcome) => {
          if (outcome.kind === 'ok') awaitPodsGone(task, spec.workload, sim.now);
          else {
            if (firstRollbackFailure === null) firstRollbackFailure = sim.now;
            record(
              cluster,
              'rollback-attempt-failed',
              `kubectl delete ${spec.workload}: ${describe(outcome)}`,
              'warning',
            );
            retryLater(task, describe(outcome));
          }
        });
        return;
      case 'scale-nodes': {
        if (!originalNodes.has(cluster)) originalNodes.set(cluster, cluster.nodes.count);
        const target = Math.max(1, Math.round(cluster.nodes.count * spec.fraction));
        cluster.scaleNodes(target);
        complete(task, `node pools scaled to ${target} nodes`);
        return;
      }
      case 'restore-nodes': {
        const original = originalNodes.get(cluster) ?? cluster.config.nodes;
        cluster.scaleNodes(original);
        complete(task, `node pools restored to ${original} nodes`);
        return;
      }
      case 'block-client-class':
        if (spec.blocked && (lastUnblock.get(classKey(cluster, spec.clientClass)) ?? -1) >= task.begunAt) {
          // The fix landed while this operator was still setting the block up: nothing to block.
          record(
            cluster,
            'response-action-skipped',
            `${action.id}: ${spec.clientClass} was unblocked meanwhile`,
          );
          release(task);
          return;
        }
        if (!spec.blocked) lastUnblock.set(classKey(cluster, spec.clientClass), sim.now);
        cluster.setClientClassBlocked(spec.clientClass, spec.blocked);
        complete(task, `${spec.blocked ? 'blocked' : 'unblocked'} ${spec.clientClass} at the network`);
        return;
      case 'scale-apiservers':
        cluster.scaleApiServers(spec.replicas, spec.provisioningDelay);
        complete(task, `API servers scaling to ${spec.replicas}`);
        return;
      case 'apply-apf':
        cluster.applyApfObjects(spec.flowSchemas, spec.priorityLevels, (outcome) => {
          if (outcome.kind === 'ok') complete(task, 'quarantine FlowSchema applied');
          else retryLater(task, describe(outcome));
        });
        return;
      case 'kill-switch':
        cluster.killWorkloadOnNodes(spec.workload, spec.nodesPerSecond);
        complete(task, `kill switch flipped for ${spec.workload} at ${spec.nodesPerSecond} nodes/s`);
        return;
      case 'shift-traffic':
        targets.shiftTraffic(cluster, spec.away);
        complete(task, spec.away ? 'user traffic moved away' : 'user traffic restored');
        return;
    }
  }

  /**
   * A delete is accepted long before the change is gone: the garbage collector deletes the pods
   * through the same API, and each kubelet stops its pod when it sees that. Operators watch
   * `kubectl get pods` and call the rollback done (unblocking, restoring nodes) only then.
   */
  function awaitPodsGone(task: Task, workload: string, acceptedAt: number): void {
    const running = task.cluster.workloadRunningPods(workload);
    if (running === 0) {
      const waited = sim.now - acceptedAt;
      complete(
        task,
        waited > 0
          ? `${workload} removed through the API; its last pods stopped ${Math.round(waited)} s after the delete was accepted`
          : `${workload} removed through the API`,
      );
      return;
    }
    sim.schedule(POD_CHECK_PERIOD, () => awaitPodsGone(task, workload, acceptedAt), undefined);
  }

  function complete(task: Task, message: string): void {
    record(task.cluster, 'response-action-done', `${task.action.id}: ${message}`);
    release(task);
    for (const next of config.actions) {
      if (next.trigger.after === 'action' && next.trigger.action === task.action.id) {
        sim.schedule(next.decisionDelay, startFor, { action: next, cluster: task.cluster });
      }
    }
  }

  function startFor(arg: { action: ResponseAction; cluster: ClusterHandle }): void {
    enqueue(arg.action, arg.cluster);
  }

  const fire = (trigger: 'detection' | 'customer-impact' | 'start'): void => {
    if (firedTriggers.has(trigger)) return;
    firedTriggers.add(trigger);
    for (const action of config.actions) {
      if (action.trigger.after !== trigger) continue;
      sim.schedule(action.decisionDelay, scan, action);
    }
  };

  // Clusters that become affected later still get the fleet-triggered actions.
  function scan(action: ResponseAction): void {
    for (const cluster of selectClusters(action)) enqueue(action, cluster);
    if (isConditional(action)) sim.schedule(RESCAN_PERIOD, scan, action);
  }

  if (config.actions.some((a) => a.trigger.after === 'start'))
    sim.schedule(0, () => fire('start'), undefined);

  return {
    notifyDetection: () => fire('detection'),
    notifyCustomerImpact: () => fire('customer-impact'),
    get firstRollbackFailure() {
      return firstRollbackFailure;
    },
    get firstActionAt() {
      return firstActionAt;
    },
    get reactionDelay() {
      let delay = Number.POSITIVE_INFINITY;
      for (const action of config.actions) {
        const trigger = action.trigger.after;
        if ((trigger === 'detection' || trigger === 'customer-impact') && !firedTriggers.has(trigger))
          delay = Math.min(delay, action.decisionDelay);
      }
      return delay;
    },
  };
}

function describe(outcome: ApiOutcome): string {
  switch (outcome.kind) {
    case 'ok':
      return 'ok';
    case 'throttled':
      return `429 (${outcome.reason}, Retry-After ${outcome.retryAfter}s)`;
    case 'timeout':
      return '504 timeout';
    case 'unreachable':
      return 'connection refused';
    case 'gone':
      return '410 gone';
  }
}
