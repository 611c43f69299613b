/**
 * A control-plane gate built from published alert thresholds, for rollouts whose gate the scenario
 * does not spell out (e.g. fm-009's canary-gate variant). None of the surveyed rollout tools ships
 * one (ops-anchors.md §1.10, §6.2); each bound below names the alert it borrows from.
 */
import type { GateCheck, GateConfig } from './types.js';

export const CONTROL_PLANE_GATE_CHECKS: readonly GateCheck[] = [
  // The cluster model's own saturation verdict (ControlPlaneHealth.isSaturated).
  { signal: 'api-saturated', max: 0 },
  // kubernetes-mixin KubeClientErrors: client 5xx ratio > 0.01 (for 15m). Our fraction also counts
  // 429s and unanswered requests, which a saturated API server produces first.
  { signal: 'api-error-fraction', max: 0.01 },
  // Deckhouse KubernetesAPFRejectRequests: rate(apiserver_flowcontrol_rejected_requests_total[5m]) > 5.
  { signal: 'apf-rejections-per-second', max: 5 },
  // coredns-mixin CoreDNSErrorsHigh (warning): SERVFAIL ratio > 0.01.
  { signal: 'dns-servfail-fraction', max: 0.01 },
  // The 99% availability target of kubernetes-mixin's SLO, applied to user requests.
  { signal: 'service-availability', min: 0.99 },
];

/**
 * Measured every 30 s (the evaluation/scrape interval of kube-prometheus: a gate cannot see fresher
 * data), no failed measurement tolerated (Argo Rollouts' failureLimit default 0), over every
 * cluster that has the change.
 */
export function controlPlaneGate(overrides: Partial<GateConfig> = {}): GateConfig {
  return {
    checks: CONTROL_PLANE_GATE_CHECKS,
    interval: 30,
    failureLimit: 0,
    scope: 'deployed',
    ...overrides,
  };
}
