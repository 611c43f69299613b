/**
 * A run reduced to the few numbers a person compares (docs/results.md "variants"). Its own module so
 * that compare's worker threads (compare-worker.ts) load it without the scenario loader.
 */
import type { RunResult, VariantResult } from '../model/result.js';

/** Customer impact: fleet (or single-cluster) availability below 99%. */
const IMPACT = 0.99;

export function summarizeVariant(name: string, description: string, result: RunResult): VariantResult {
  const r = result.resolutionSeconds;
  const availability =
    result.fleet?.availability ??
    result.clusters[0]?.series.find(
      (s) => s.name === 'service_availability' && Object.keys(s.labels).length <= 1,
    )?.values ??
    [];
  const changeAt =
    result.milestones.changeReachedLargeCluster ?? firstEventTime(result, 'rollout-cluster-deployed') ?? 0;
  let impactSteps = 0;
  for (let k = Math.floor(changeAt / r); k < availability.length; k++) {
    const a = availability[k];
    if (a !== null && a !== undefined && a < IMPACT) impactSteps++;
  }
  const affected = result.clusters.filter((c) => {
    const s = c.summary;
    return (s.apiserver?.saturatedAt ?? null) !== null || (s.services?.impactStartedAt ?? null) !== null;
  }).length;
  const start = firstEventTime(result, 'rollout-wave-started') ?? changeAt;
  const detected = firstEventTime(result, 'alert-firing', start);
  const mitigated =
    firstEventTime(result, 'response-action-done', start) ?? firstEventTime(result, 'rollout-halted', start);
  const recovered = result.milestones.fullRecovery ?? null;
  const minutes = (t: number | null, from: number): number | null =>
    t === null ? null : round1((t - from) / 60);
  return {
    name,
    description,
    customerImpactMinutes: round1((impactSteps * r) / 60),
    clustersAffected: affected,
    timeToDetectMinutes: minutes(detected, start),
    timeToMitigateMinutes: minutes(mitigated, start),
    timeToFullRecoveryMinutes: affected === 0 ? 0 : minutes(recovered, start),
  };
}

function firstEventTime(result: RunResult, kind: string, from = 0): number | null {
  for (const e of result.events) if (e.kind === kind && e.t >= from) return e.t;
  return null;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
