/**
 * Identities of in-cluster clients (what APF classifies on) and their client-go rate settings.
 */
import type { Identity } from '../api-types.js';
import type { ParameterDeclaration } from '../component.js';
import type { ClientRateConfig } from '../config.js';

export function nodeIdentity(node: number): Identity {
  return {
    user: `system:node:node-${node}`,
    groups: ['system:nodes', 'system:authenticated'],
    clientClass: 'kubelet',
  };
}

export function serviceAccountIdentity(namespace: string, name: string, clientClass: string): Identity {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    namespace,
    clientClass,
  };
}

export function userIdentity(user: string, groups: readonly string[], clientClass: string): Identity {
  return { user, groups: [...groups, 'system:authenticated'], clientClass };
}

export const KCM_IDENTITY = userIdentity('system:kube-controller-manager', [], 'controller-manager');
export const SCHEDULER_IDENTITY = userIdentity('system:kube-scheduler', [], 'scheduler');

/** kubelet kubeAPIQPS / kubeAPIBurst (kubelet@v0.31.0 config/v1beta1/types.go, §5.1). */
export const KUBELET_RATE: ClientRateConfig = { qps: 50, burst: 100, timeout: 0 };
/** Heartbeat client: no client-side limit, timeout min(nodeStatusUpdateFrequency, leaseDuration) = 10 s (§5.1). */
export const HEARTBEAT_RATE: ClientRateConfig = { qps: -1, burst: 0, timeout: 10 };
/** kube-proxy clientConnection 5 / 10 (§5.4). */
export const KUBE_PROXY_RATE: ClientRateConfig = { qps: 5, burst: 10, timeout: 0 };
/** kube-controller-manager --kube-api-qps 20 / --kube-api-burst 30 (§5.4). */
export const KCM_RATE: ClientRateConfig = { qps: 20, burst: 30, timeout: 0 };
/** kube-scheduler 50 / 100 (§5.4). */
export const SCHEDULER_RATE: ClientRateConfig = { qps: 50, burst: 100, timeout: 0 };
/** rest.Config defaults DefaultQPS 5 / DefaultBurst 10 (client-go rest/config.go, §6): CoreDNS sets none. */
export const DEFAULT_RATE: ClientRateConfig = { qps: 5, burst: 10, timeout: 0 };

export const CLIENT_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'client.default.qps',
    value: 5,
    unit: 'requests/s',
    source: 'client-go@v0.31.0 rest/config.go DefaultQPS (§6)',
  },
  {
    name: 'client.default.burst',
    value: 10,
    unit: 'requests',
    source: 'client-go@v0.31.0 rest/config.go DefaultBurst (§6)',
  },
  {
    name: 'client.maxRetries',
    value: 10,
    unit: 'retries',
    source: 'client-go@v0.31.0 rest/request.go maxRetries (§6)',
  },
  {
    name: 'client.kubelet.qps',
    value: 50,
    unit: 'requests/s',
    source: 'kubelet@v0.31.0 config/v1beta1/types.go kubeAPIQPS (§5.1)',
  },
  {
    name: 'client.kubelet.burst',
    value: 100,
    unit: 'requests',
    source: 'kubelet@v0.31.0 config/v1beta1/types.go kubeAPIBurst (§5.1)',
  },
  {
    name: 'client.heartbeat.timeout',
    value: 10,
    unit: 'seconds',
    source: 'kubelet: min(nodeStatusUpdateFrequency, nodeLeaseDuration) with QPS -1 (§5.1)',
  },
  {
    name: 'client.kubeProxy.qps',
    value: 5,
    unit: 'requests/s',
    source: 'kube-proxy clientConnection.qps (§5.4)',
  },
  {
    name: 'client.kubeProxy.burst',
    value: 10,
    unit: 'requests',
    source: 'kube-proxy clientConnection.burst (§5.4)',
  },
  {
    name: 'client.kcm.qps',
    value: 20,
    unit: 'requests/s',
    source: 'kube-controller-manager --kube-api-qps (§5.4; unverified)',
  },
  {
    name: 'client.kcm.burst',
    value: 30,
    unit: 'requests',
    source: 'kube-controller-manager --kube-api-burst (§5.4)',
  },
  {
    name: 'client.scheduler.qps',
    value: 50,
    unit: 'requests/s',
    source: 'kube-scheduler clientConnection.qps (§5.4)',
  },
  {
    name: 'client.scheduler.burst',
    value: 100,
    unit: 'requests',
    source: 'kube-scheduler clientConnection.burst (§5.4)',
  },
  {
    name: 'reflector.backoff.initial',
    value: 0.8,
    unit: 'seconds',
    source: 'client-go@v0.31.0 tools/cache/reflector.go:236 NewExponentialBackoffManager (§6)',
  },
  {
    name: 'reflector.backoff.cap',
    value: 30,
    unit: 'seconds',
    source: 'client-go@v0.31.0 tools/cache/reflector.go (§6); jitter 1.0 makes waits up to 60 s',
  },
  {
    name: 'reflector.backoff.factor',
    value: 2,
    unit: 'factor',
    source: 'client-go@v0.31.0 tools/cache/reflector.go (§6)',
  },
  {
    name: 'reflector.backoff.jitter',
    value: 1,
    unit: 'fraction',
    source: 'client-go@v0.31.0 tools/cache/reflector.go (§6)',
  },
  {
    name: 'reflector.backoff.reset',
    value: 120,
    unit: 'seconds',
    source: 'client-go@v0.31.0 tools/cache/reflector.go (§6)',
  },
  {
    name: 'reflector.minWatchTimeout',
    value: 300,
    unit: 'seconds',
    source: 'client-go@v0.31.0 tools/cache/reflector.go: timeoutSeconds in [5, 10) min (§3.4)',
  },
  {
    name: 'reflector.pageSize',
    value: 500,
    unit: 'objects',
    source: 'client-go@v0.31.0 tools/pager/pager.go defaultPageSize (§3.1)',
  },
  {
    name: 'client.connectTimeout',
    value: 30,
    unit: 'seconds',
    source: 'client-go transport dialer Timeout 30 s (a blocked network fails after it)',
  },
  {
    name: 'client.refusedLatency',
    value: 0.001,
    unit: 'seconds',
    source: 'fitted',
    fitted: 'A load balancer with no healthy backend refuses a connection at once.',
  },
  {
    name: 'reflector.shortWatch',
    value: 1,
    unit: 'seconds',
    source:
      'client-go@v0.31.0 tools/cache/reflector.go handleWatch: a watch ending within 1 s without events is an error ("very short watch"), so the reflector backs off and relists',
  },
];
