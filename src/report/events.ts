/**
 * How the report groups event kinds, by the naming convention the components follow (kebab-case,
 * prefixed by what produced them): `rollout-*` progress, `response-*` operator actions, `alert-*`
 * alerts, `*-oom-killed` / `*-restarted` process restarts. Anything else is "other".
 */
import type { MilestoneName } from '../model/result.js';

export type EventCategory = 'rollout' | 'response' | 'alert' | 'restart' | 'other';

export function categorize(kind: string): EventCategory {
  if (kind.startsWith('rollout-')) return 'rollout';
  if (kind.startsWith('response-')) return 'response';
  if (kind.startsWith('alert-')) return 'alert';
  if (kind.endsWith('-oom-killed') || kind.endsWith('-restarted') || kind.includes('crash')) return 'restart';
  return 'other';
}

/** Milestones in the order an incident unfolds, with labels for people and short chart flags. */
export const MILESTONE_LABELS: Readonly<
  Record<MilestoneName, { readonly label: string; readonly short: string }>
> = {
  changeReachedLargeCluster: { label: 'Change reached a large cluster', short: 'reached large' },
  alertFired: { label: 'Alert fired', short: 'alert' },
  firstCustomerImpact: { label: 'First customer impact', short: 'impact' },
  peakCustomerImpact: { label: 'Peak customer impact', short: 'peak' },
  rollbackAttemptFailed: { label: 'Rollback attempt failed', short: 'rollback failed' },
  firstClusterRecovered: { label: 'First cluster recovered', short: '1st recovered' },
  fullRecovery: { label: 'Full recovery', short: 'recovered' },
};

export interface MilestoneRow {
  readonly name: string;
  readonly label: string;
  readonly short: string;
  readonly simulated: number | null;
  readonly published: number | null;
}

/** Known milestones first, in incident order, then any others the result carries. */
export function milestoneRows(
  milestones: Readonly<Record<string, number | null | undefined>>,
  published: Readonly<Record<string, number | undefined>> | undefined,
): MilestoneRow[] {
  const names: string[] = Object.keys(MILESTONE_LABELS).filter(
    (n) => n in milestones || (published && n in published),
  );
  for (const n of [...Object.keys(milestones), ...Object.keys(published ?? {})])
    if (!names.includes(n)) names.push(n);
  return names.map((name) => {
    const known = (MILESTONE_LABELS as Readonly<Record<string, { label: string; short: string }>>)[name];
    return {
      name,
      label: known?.label ?? name,
      short: known?.short ?? name,
      simulated: milestones[name] ?? null,
      published: published?.[name] ?? null,
    };
  });
}
