import type { Command } from 'commander';
import { recoveryEnds } from '../../model/fleet/index.js';
import type { ClusterRecovery, MilestoneName, RunResult } from '../../model/result.js';
import { alignPublished, type PublishedTimeline, publishedTimeline } from '../../scenario/published.js';
import { simulateParallel } from '../../scenario/simulate-parallel.js';
import { formatDuration } from '../../scenario/units.js';
import {
  type CliContext,
  type CommandModule,
  loadOrFail,
  parseJobsOption,
  parseSeedOption,
} from '../context.js';
import { UserError } from '../errors.js';
import type { Style } from '../io.js';
import { humanStream, printSummary, startProgress, writeOutputs } from '../output.js';

interface ReplayOptions {
  readonly seed?: number;
  readonly jobs?: number;
  readonly json?: string;
  readonly report?: string;
  readonly quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ stormglass replay fm-009                    the OpenAI outage of 11 Dec 2024, simulated beside the published timeline
  $ stormglass replay fm-009 --report out       also write out/index.html (open it in a browser)
  $ stormglass replay fm-009 --json fm009.json  the full result with its milestones (docs/results.md)
  $ stormglass replay fm-009 --seed 7           the same incident under another random seed
  $ stormglass replay fm-009 --jobs 1           all clusters in this thread (less memory, slower)

No published time is an input: every simulated milestone comes out of the mechanisms (docs/fm-009.md).
The fleet's clusters share out over --jobs worker threads (default: one per CPU core); the result is
the same, byte for byte, for any --jobs.
Incidents with a published timeline: fm-009.
`;

const ORDER: readonly MilestoneName[] = [
  'changeReachedLargeCluster',
  'alertFired',
  'firstCustomerImpact',
  'peakCustomerImpact',
  'rollbackAttemptFailed',
  'firstClusterRecovered',
  'fullRecovery',
];

const LABELS: Record<MilestoneName, string> = {
  changeReachedLargeCluster: 'change reaches a large cluster',
  alertFired: 'first alert fires',
  firstCustomerImpact: 'customer impact begins',
  peakCustomerImpact: 'customer impact at its peak',
  rollbackAttemptFailed: 'a rollback attempt fails',
  firstClusterRecovered: 'first cluster recovered',
  fullRecovery: 'all clusters recovered',
};

export const replayCommand: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('replay')
      .description('Replay a published incident and print the simulated timeline beside the published one.')
      .argument('<incident>', 'a built-in scenario with a published timeline (fm-009)')
      .option('--seed <n>', "random seed (default: the scenario's seed)", parseSeedOption)
      .option(
        '--jobs <n>',
        'worker threads the clusters share out over (default: CPU cores)',
        parseJobsOption,
      )
      .option(
        '--json <file>',
        'write the full result, milestones included, to FILE ("-" for stdout); written atomically',
      )
      .option('--report <dir>', 'write a self-contained HTML report to DIR/index.html')
      .option('-q, --quiet', 'print nothing but errors')
      .addHelpText('after', EXAMPLES)
      .action(async (incident: string, options: ReplayOptions) => {
        const quiet = options.quiet === true;
        const scenario = loadOrFail(ctx, incident, { quiet });
        const timeline = publishedTimeline(scenario.name);
        if (!timeline)
          throw new UserError(`${incident} has no published timeline to replay against`, {
            hint: 'replay takes fm-009; to simulate any scenario use: stormglass run <scenario>',
          });
        const progress = startProgress(ctx, quiet, scenario.duration, `replay ${scenario.name}`);
        const started = performance.now();
        const simulated = await simulateParallel(scenario, {
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
          onProgress: progress.update,
        });
        progress.finish();
        const wallSeconds = (performance.now() - started) / 1000;
        const published = alignPublished(timeline, simulated.milestones);
        const result: RunResult = published ? { ...simulated, published } : simulated;
        const notes = await writeOutputs(ctx, result, options, `stormglass replay ${incident}`);
        if (quiet) return;
        printSummary(ctx, result, options, []);
        const { stream, color } = humanStream(ctx, options);
        const style = color ? ctx.out : ctx.err;
        stream.write(renderTimelines(result, timeline, style));
        stream.write(
          `\nSimulated ${formatDuration(result.simulatedSeconds)} in ${wallSeconds.toFixed(1)} s (seed ${result.seed}).\n`,
        );
        for (const n of notes) stream.write(`${n}\n`);
      });
  },
};

/** Both timelines side by side, in minutes from the anchor milestone. */
export function renderTimelines(result: RunResult, timeline: PublishedTimeline, style: Style): string {
  const anchor = result.milestones[timeline.anchor] ?? null;
  const rel = (t: number | null | undefined): string =>
    t === null || t === undefined || anchor === null ? '—' : `${signed(Math.round((t - anchor) / 60))} min`;
  const rows = ORDER.map((m) => {
    const p = timeline.milestones[m];
    return [
      LABELS[m],
      rel(result.milestones[m]),
      p ? `${signed(p.minutes)} min` : '—',
      p ? p.clock : 'not published',
    ];
  });
  const head = ['milestone', 'simulated', 'published', 'published clock (PST)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  let out = `\n${style.bold(`${timeline.incident}: simulated vs published`)} ${style.dim(`(minutes from ${LABELS[timeline.anchor]})`)}\n`;
  out += `${style.dim(line(head))}\n`;
  for (const r of rows) out += `${line(r)}\n`;
  const which = whichRecovered(result);
  if (which) out += `${which}\n`;
  out += style.dim(`Published: ${timeline.source}\n`);
  return out;
}

/**
 * Which clusters the two recovery milestones come from (recoveryEnds, the rule the milestones use),
 * or null when the result has no troubled cluster.
 */
export function whichRecovered(result: RunResult): string | null {
  const all = result.recoveries ?? [];
  if (all.length === 0) return null;
  const hadImpact = (r: ClusterRecovery): boolean => r.customerImpactSeconds > 0;
  const { first, last } = recoveryEnds(all, hadImpact);
  const never = all.filter((r) => r.recoveredAt === null);
  const impact = (r: ClusterRecovery): string => {
    const seconds = r.customerImpactSeconds;
    if (seconds === 0) return 'no customer impact';
    return seconds < 60
      ? `${seconds} s of customer impact`
      : `${Math.round(seconds / 60)} min of customer impact`;
  };
  const parts = [
    `${all.length} ${all.length === 1 ? 'cluster' : 'clusters'} in trouble, ${all.filter(hadImpact).length} with customer impact`,
  ];
  if (first) parts.push(`first recovered: ${first.cluster} (${impact(first)})`);
  if (never.length > 0) parts.push(`never recovered: ${never.map((r) => r.cluster).join(', ')}`);
  else if (last && last !== first) parts.push(`last recovered: ${last.cluster} (${impact(last)})`);
  return `${parts.join('; ')}.`;
}

const signed = (m: number): string => (m > 0 ? `+${m}` : `${m}`);
