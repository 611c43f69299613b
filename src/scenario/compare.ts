/**
 * compare: the scenario as written and each of its variants, reduced to the few numbers a person
 * compares (docs/results.md "variants"). Pure: it only calls simulate().
 */
import type { RunResult, VariantResult } from '../model/result.js';
import { applyVariant } from './load.js';
import { type SimulateOptions, simulate } from './simulate.js';
import type { ResolvedScenario } from './types.js';

/** Customer impact: fleet (or single-cluster) availability below 99%. */
const IMPACT = 0.99;

/** The name the scenario as written takes in a comparison. */
export const BASE_VARIANT = 'as-published';

export interface CompareProgress {
  readonly variant: string;
  readonly index: number;
  readonly count: number;
}

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

/**
 * Runs the scenario as written (named `as-published`) and every variant, in the order the file
 * lists them. Returns the base run with `variants` filled in.
 */
export function compareVariants(
  scenario: ResolvedScenario,
  options: SimulateOptions & { readonly onVariant?: (p: CompareProgress) => void } = {},
): { readonly base: RunResult; readonly variants: readonly VariantResult[] } {
  const names = Object.keys(scenario.variants);
  const count = names.length + 1;
  const { onVariant, ...simulateOptions } = options;
  onVariant?.({ variant: BASE_VARIANT, index: 0, count });
  const base = simulate(scenario, simulateOptions);
  const rows: VariantResult[] = [summarizeVariant(BASE_VARIANT, scenario.description, base)];
  names.forEach((name, i) => {
    const applied = applyVariant(scenario, name);
    if (!applied.ok)
      throw new Error(`variant ${name} no longer validates: ${applied.issues[0]?.message ?? 'unknown'}`);
    onVariant?.({ variant: name, index: i + 1, count });
    const run = simulate(applied.scenario, simulateOptions);
    rows.push(summarizeVariant(name, scenario.variants[name]?.description ?? '', run));
  });
  return { base: { ...base, variants: rows }, variants: rows };
}

function firstEventTime(result: RunResult, kind: string, from = 0): number | null {
  for (const e of result.events) if (e.kind === kind && e.t >= from) return e.t;
  return null;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
