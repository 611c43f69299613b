/**
 * ClusterConfig fixtures for the control-plane tests (the YAML built-ins are the scenario layer's;
 * these mirror baseline-5k, agent-5k, agent-50 and agent-5k-quarantine).
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type {
  AccessProfile,
  ClusterConfig,
  DataPlaneConfig,
  WorkloadConfig,
} from '../../../src/model/config.js';

const GIB = 2 ** 30;

export const DATA_PLANE: DataPlaneConfig = {
  coreDns: {
    replicas: { kind: 'fixed', count: 10 },
    recordTtl: 30,
    cache: {
      enabled: true,
      successTtl: 30,
      denialTtl: 30,
      capacity: 9984,
      prefetch: 0,
      serveStale: null,
      servfailTtl: 5,
    },
    qpsPerReplica: 10000,
    memoryLimitBytes: 170 * 2 ** 20,
  },
  nodeLocal: { enabled: false, successTtl: 30, denialTtl: 5, serveStale: null },
  resolver: { ndots: 5, timeout: 5, attempts: 2, searchDomains: 3 },
  services: [],
};

export function clusterConfig(overrides: Partial<ClusterConfig> & { readonly nodes: number }): ClusterConfig {
  return {
    name: 'c1',
    region: 'r1',
    zones: 3,
    podsPerNode: 30,
    kubernetesVersion: '1.30',
    apiServer: {
      replicas: 3,
      cores: 32,
      memoryBytes: 128 * GIB,
      maxRequestsInflight: 400,
      maxMutatingRequestsInflight: 200,
      requestTimeout: 60,
      enablePriorityAndFairness: true,
      restartDelay: 30,
    },
    etcd: { members: 3, cores: 8, writeLatencyFloor: 0.003 },
    flowSchemas: [],
    priorityLevels: [],
    dataPlane: DATA_PLANE,
    trafficWeight: 1,
    fidelity: 'exact',
    ...overrides,
  };
}

/** The FM-009-style agent: every node lists the pods of its own node with RV="" once a minute. */
export const PODS_ON_MY_NODE: AccessProfile = {
  name: 'pods-on-my-node',
  verb: 'list',
  resource: 'pods',
  apiGroup: '',
  scope: 'cluster',
  rv: 'consistent',
  labelSelector: false,
  fieldSelector: true,
  returns: { kind: 'per-node' },
  limit: 0,
  mode: 'poll',
  period: 60,
  jitter: 0.2,
  client: { qps: 5, burst: 10, timeout: 0 },
};

export function telemetryAgent(overrides: Partial<WorkloadConfig> = {}): WorkloadConfig {
  return {
    name: 'telemetry-agent',
    kind: 'DaemonSet',
    replicas: 0,
    identity: { serviceAccount: 'collector', namespace: 'telemetry' },
    accessProfiles: [PODS_ON_MY_NODE],
    startAt: 600,
    rollout: { maxUnavailable: 1, podStartSeconds: 10 },
    restartOnApiFailure: false,
    ...overrides,
  };
}

/** A user FlowSchema + PriorityLevelConfiguration giving the agent's service account 2 seats. */
export const QUARANTINE_PLC: PriorityLevelConfiguration = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'PriorityLevelConfiguration',
  metadata: { name: 'telemetry-quarantine' },
  spec: {
    type: 'Limited',
    limited: {
      // 2 seats of 600: ceil(600 * shares / (245 + shares)) = 2 needs shares = 1.
      nominalConcurrencyShares: 1,
      lendablePercent: 0,
      borrowingLimitPercent: 0,
      limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } },
    },
  },
};

export const QUARANTINE_FS: FlowSchema = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'FlowSchema',
  metadata: { name: 'telemetry-quarantine' },
  spec: {
    priorityLevelConfiguration: { name: 'telemetry-quarantine' },
    matchingPrecedence: 500,
    distinguisherMethod: { type: 'ByUser' },
    rules: [
      {
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'telemetry', name: 'collector' } }],
        resourceRules: [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true },
        ],
      },
    ],
  },
};
