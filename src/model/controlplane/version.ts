/**
 * Behaviour that depends on the Kubernetes minor version (k8s-mechanics §1, §3.1, §5.2).
 */
export interface VersionRules {
  readonly minor: number;
  /** ConsistentListFromCache: beta and on by default from 1.31 (KEP-2340; §3.1). */
  readonly isConsistentListFromCache: boolean;
  /** ResilientWatchCacheInitialization: beta and on by default from 1.31 (KEP-4568; §1). */
  readonly isResilientWatchCacheInit: boolean;
  /** --node-monitor-grace-period: 40 s up to 1.31, 50 s from 1.32 (k/k PR #126287; §5.2). */
  readonly nodeMonitorGracePeriod: number;
}

/** Feature gates given explicitly (ApiServerConfig.featureGates) override the version's defaults. */
export function versionRules(
  version: string,
  featureGates?: Readonly<Record<string, boolean>>,
): VersionRules {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (match === null) throw new RangeError(`kubernetesVersion "${version}" is not of the form 1.31`);
  const major = Number(match[1]);
  const minor = major > 1 ? 99 : Number(match[2]);
  return {
    minor,
    isConsistentListFromCache: featureGates?.ConsistentListFromCache ?? minor >= 31,
    isResilientWatchCacheInit: featureGates?.ResilientWatchCacheInitialization ?? minor >= 31,
    nodeMonitorGracePeriod: minor >= 32 ? 50 : 40,
  };
}
