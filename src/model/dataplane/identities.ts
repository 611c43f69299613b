/**
 * Who the data plane's API clients are. Identities decide the APF FlowSchema (kube-system service
 * accounts -> workload-high); client classes are what operator actions block.
 */
import type { Identity } from '../api-types.js';
import type { ClientRateConfig } from '../config.js';

const kubeSystemServiceAccount = (name: string, clientClass: string): Identity => ({
  user: `system:serviceaccount:kube-system:${name}`,
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
  namespace: 'kube-system',
  clientClass,
});

/** CoreDNS Deployment's service account (kubeadm manifests.go: serviceAccountName coredns). */
export const COREDNS_IDENTITY = kubeSystemServiceAccount('coredns', 'coredns');
/** kube-proxy DaemonSet's service account (kubeadm kube-proxy addon). */
export const KUBE_PROXY_IDENTITY = kubeSystemServiceAccount('kube-proxy', 'kube-proxy');
/** kube-controller-manager runs each controller under its own service account (--use-service-account-credentials). */
export const ENDPOINTSLICE_CONTROLLER_IDENTITY = kubeSystemServiceAccount(
  'endpointslice-controller',
  'controller-manager',
);
export const REPLICASET_CONTROLLER_IDENTITY = kubeSystemServiceAccount(
  'replicaset-controller',
  'controller-manager',
);

export const CLASS_KUBELET = 'kubelet';
export const CLASS_CONTROLLER = 'controller-manager';

/** client-go rest.Config defaults QPS 5, burst 10: CoreDNS does not set them (k8s-mechanics §7.2). */
export const COREDNS_CLIENT: ClientRateConfig = { qps: 5, burst: 10, timeout: 0 };
/** kube-proxy --kube-api-qps 5 / --kube-api-burst 10 (k8s-mechanics §5.4). */
export const KUBE_PROXY_CLIENT: ClientRateConfig = { qps: 5, burst: 10, timeout: 0 };
