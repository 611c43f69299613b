/**
 * Published incident timelines, for replays: shown beside the simulated one and overlaid in the
 * report. They are never an input to a simulation; tests use them only to check the twin lands
 * in the right ranges.
 */
import type { MilestoneName } from '../model/result.js';

export interface PublishedTimeline {
  readonly incident: string;
  readonly source: string;
  /** The milestone the published clock times are aligned to in the simulated run. */
  readonly anchor: MilestoneName;
  /** Wall-clock time of each milestone as published (null: not published), and the same in minutes from the anchor. */
  readonly milestones: Readonly<
    Record<MilestoneName, { readonly clock: string; readonly minutes: number } | null>
  >;
}

/**
 * FM-009, OpenAI, 11 Dec 2024 (times PST; ../shared/reference/fm-009.md §1.2). The anchor is the
 * root-cause section's "At 3:12 PM PST, we deployed a new telemetry service", read as the change
 * reaching the large clusters.
 */
export const FM009_PUBLISHED: PublishedTimeline = {
  incident: 'FM-009: OpenAI, 11 Dec 2024',
  source: 'status.openai.com/incidents/ctrsv3lwd797 (postmortem, via ../shared/reference/fm-009.md)',
  anchor: 'changeReachedLargeCluster',
  milestones: {
    changeReachedLargeCluster: { clock: '3:12 PM', minutes: 0 },
    alertFired: { clock: '3:13 PM', minutes: 1 },
    firstCustomerImpact: { clock: '3:16 PM', minutes: 4 },
    peakCustomerImpact: { clock: '3:40 PM', minutes: 28 },
    // "we needed to access the Kubernetes control plane – which we could not do": no time given.
    rollbackAttemptFailed: null,
    firstClusterRecovered: { clock: '4:36 PM', minutes: 84 },
    fullRecovery: { clock: '7:38 PM', minutes: 266 },
  },
};

const PUBLISHED: Readonly<Record<string, PublishedTimeline>> = { 'fm-009': FM009_PUBLISHED };

export function publishedTimeline(scenarioName: string): PublishedTimeline | null {
  return PUBLISHED[scenarioName] ?? null;
}

/** Published milestones placed on the simulated clock, aligned at the anchor; null when the anchor never happened. */
export function alignPublished(
  timeline: PublishedTimeline,
  simulated: Partial<Record<MilestoneName, number | null>>,
): Partial<Record<MilestoneName, number>> | null {
  const anchor = simulated[timeline.anchor];
  if (anchor === null || anchor === undefined) return null;
  const out: Partial<Record<MilestoneName, number>> = {};
  for (const [name, m] of Object.entries(timeline.milestones) as [
    MilestoneName,
    { minutes: number } | null,
  ][]) {
    if (m) out[name] = anchor + m.minutes * 60;
  }
  return out;
}
