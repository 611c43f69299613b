/**
 * compare: the scenario as written and each of its variants, reduced to the few numbers a person
 * compares (docs/results.md "variants"). Pure: it only calls simulate().
 */
import type { RunResult, VariantResult } from '../model/result.js';
import { applyVariant } from './load.js';
import { type SimulateOptions, simulate } from './simulate.js';
import type { ResolvedScenario } from './types.js';
import { summarizeVariant } from './variant-summary.js';

/** The name the scenario as written takes in a comparison. */
export const BASE_VARIANT = 'as-published';

export interface CompareProgress {
  readonly variant: string;
  readonly index: number;
  readonly count: number;
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
    const variant = resolveVariant(scenario, name);
    onVariant?.({ variant: name, index: i + 1, count });
    const run = simulate(variant, simulateOptions);
    rows.push(summarizeVariant(name, scenario.variants[name]?.description ?? '', run));
  });
  return { base: { ...base, variants: rows }, variants: rows };
}

/** The scenario with variant `name` applied; the variant was validated when the scenario loaded. */
export function resolveVariant(scenario: ResolvedScenario, name: string): ResolvedScenario {
  const applied = applyVariant(scenario, name);
  if (!applied.ok)
    throw new Error(`variant ${name} no longer validates: ${applied.issues[0]?.message ?? 'unknown'}`);
  return applied.scenario;
}
