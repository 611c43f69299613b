/**
 * The v1.31 bootstrap APF objects, as real `flowcontrol.apiserver.k8s.io/v1` objects.
 *
 * Source: kubernetes/apiserver@v0.31.0:pkg/apis/flowcontrol/bootstrap/default.go (values identical
 * since v0.28 apart from pointer types). The two mandatory objects of each kind (exempt, catch-all) are
 * always present; the suggested ones can be replaced by user objects of the same name.
 */
import type {
  FlowSchema,
  NonResourcePolicyRule,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  ResourcePolicyRule,
  Subject,
} from 'kubernetes-types/flowcontrol/v1.d.ts';

const API_VERSION = 'flowcontrol.apiserver.k8s.io/v1';

function queuedLevel(
  name: string,
  shares: number,
  lendablePercent: number,
  queues: number,
  handSize: number,
): PriorityLevelConfiguration {
  return {
    apiVersion: API_VERSION,
    kind: 'PriorityLevelConfiguration',
    metadata: { name },
    spec: {
      type: 'Limited',
      limited: {
        nominalConcurrencyShares: shares,
        lendablePercent,
        limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } },
      },
    },
  };
}

export const PLC_EXEMPT: PriorityLevelConfiguration = {
  apiVersion: API_VERSION,
  kind: 'PriorityLevelConfiguration',
  metadata: { name: 'exempt' },
  spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
};

export const PLC_CATCH_ALL: PriorityLevelConfiguration = {
  apiVersion: API_VERSION,
  kind: 'PriorityLevelConfiguration',
  metadata: { name: 'catch-all' },
  spec: {
    type: 'Limited',
    limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } },
  },
};

export const MANDATORY_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [PLC_EXEMPT, PLC_CATCH_ALL];

/** Suggested levels, in the order of default.go. */
export const SUGGESTED_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  queuedLevel('system', 30, 33, 64, 6),
  queuedLevel('node-high', 40, 25, 64, 6),
  queuedLevel('leader-election', 10, 0, 16, 4),
  queuedLevel('workload-high', 40, 50, 128, 6),
  queuedLevel('workload-low', 100, 90, 128, 6),
  queuedLevel('global-default', 20, 50, 128, 6),
];

const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const kubeSystemServiceAccount = (name: string): Subject => ({
  kind: 'ServiceAccount',
  serviceAccount: { namespace: 'kube-system', name },
});

const resourceRule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  namespaces: string[],
  clusterScope: boolean,
): ResourcePolicyRule => ({ verbs, apiGroups, resources, namespaces, clusterScope });

const ALL_RESOURCES: ResourcePolicyRule[] = [resourceRule(['*'], ['*'], ['*'], ['*'], true)];
const ALL_NON_RESOURCES: NonResourcePolicyRule[] = [{ verbs: ['*'], nonResourceURLs: ['*'] }];

function flowSchema(
  name: string,
  priorityLevel: string,
  matchingPrecedence: number,
  distinguisher: 'ByUser' | 'ByNamespace' | undefined,
  rules: PolicyRulesWithSubjects[],
): FlowSchema {
  return {
    apiVersion: API_VERSION,
    kind: 'FlowSchema',
    metadata: { name },
    spec: {
      priorityLevelConfiguration: { name: priorityLevel },
      matchingPrecedence,
      ...(distinguisher === undefined ? {} : { distinguisherMethod: { type: distinguisher } }),
      rules,
    },
  };
}

/** Matches the given subjects for every verb, resource and non-resource URL (NewFSAll in default.go). */
const everything = (subjects: Subject[]): PolicyRulesWithSubjects[] => [
  { subjects, resourceRules: ALL_RESOURCES, nonResourceRules: ALL_NON_RESOURCES },
];

export const FS_EXEMPT = flowSchema('exempt', 'exempt', 1, undefined, everything([group('system:masters')]));
export const FS_CATCH_ALL = flowSchema(
  'catch-all',
  'catch-all',
  10000,
  'ByUser',
  everything([group('system:unauthenticated'), group('system:authenticated')]),
);

export const MANDATORY_FLOW_SCHEMAS: readonly FlowSchema[] = [FS_EXEMPT, FS_CATCH_ALL];

const GET_CREATE_UPDATE = ['get', 'create', 'update'];

/** Suggested FlowSchemas, in order of matching precedence as in default.go. */
export const SUGGESTED_FLOW_SCHEMAS: readonly FlowSchema[] = [
  flowSchema('probes', 'exempt', 2, undefined, [
    {
      subjects: [group('system:unauthenticated'), group('system:authenticated')],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
    },
  ]),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', [
    {
      subjects: [
        user('system:kube-controller-manager'),
        user('system:kube-scheduler'),
        kubeSystemServiceAccount('*'),
      ],
      resourceRules: [resourceRule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'], ['*'], false)],
    },
  ]),
  // Removed after v1.31 (k/k #80289 follow-up); present in 1.31.
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', [
    {
      subjects: [
        user('system:kube-controller-manager'),
        kubeSystemServiceAccount('endpoint-controller'),
        kubeSystemServiceAccount('endpointslicemirroring-controller'),
      ],
      resourceRules: [resourceRule(GET_CREATE_UPDATE, [''], ['endpoints'], ['*'], false)],
    },
  ]),
  // Removed after v1.31; present in 1.31.
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', [
    {
      subjects: [kubeSystemServiceAccount('*')],
      resourceRules: [
        resourceRule(GET_CREATE_UPDATE, [''], ['endpoints', 'configmaps'], ['*'], false),
        resourceRule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'], ['*'], false),
      ],
    },
  ]),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', [
    {
      subjects: [group('system:nodes')],
      resourceRules: [
        resourceRule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true),
        resourceRule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false),
      ],
    },
  ]),
  flowSchema('system-nodes', 'system', 500, 'ByUser', everything([group('system:nodes')])),
  flowSchema(
    'kube-controller-manager',
    'workload-high',
    800,
    'ByNamespace',
    everything([user('system:kube-controller-manager')]),
  ),
  flowSchema(
    'kube-scheduler',
    'workload-high',
    800,
    'ByNamespace',
    everything([user('system:kube-scheduler')]),
  ),
  flowSchema(
    'kube-system-service-accounts',
    'workload-high',
    900,
    'ByNamespace',
    everything([kubeSystemServiceAccount('*')]),
  ),
  flowSchema(
    'service-accounts',
    'workload-low',
    9000,
    'ByUser',
    everything([group('system:serviceaccounts')]),
  ),
  flowSchema(
    'global-default',
    'global-default',
    9900,
    'ByUser',
    everything([group('system:unauthenticated'), group('system:authenticated')]),
  ),
];

export const BOOTSTRAP_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  ...MANDATORY_PRIORITY_LEVELS,
  ...SUGGESTED_PRIORITY_LEVELS,
];
export const BOOTSTRAP_FLOW_SCHEMAS: readonly FlowSchema[] = [
  ...MANDATORY_FLOW_SCHEMAS,
  ...SUGGESTED_FLOW_SCHEMAS,
];
