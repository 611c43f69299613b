import type { Command } from 'commander';
import { simulateParallel } from '../../scenario/simulate-parallel.js';
import { formatDuration } from '../../scenario/units.js';
import {
  type CliContext,
  type CommandModule,
  loadOrFail,
  parseJobsOption,
  parseSeedOption,
  parseUntilOption,
  writeJson,
} from '../context.js';
import { writeOutputs } from '../output.js';
import { renderRunSummary } from '../summary.js';

interface RunOptions {
  readonly seed?: number;
  readonly jobs?: number;
  readonly until?: number;
  readonly json?: string;
  readonly report?: string;
  readonly variant?: string;
  readonly quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ stormglass run agent-5k                       run a built-in scenario (see: stormglass list)
  $ stormglass run agent-5k --json agent-5k.json  also write the full result (time series, events)
  $ stormglass run ./my-fleet.yaml --seed 7       your own scenario file, another random seed
  $ stormglass run agent-5k --until 20m           stop after 20 simulated minutes
  $ stormglass run agent-5k --report out          also write out/index.html, a report with charts
  $ stormglass run dns-apiserver-outage --variant serve-stale
                                                  apply a what-if variant defined in the file
  $ stormglass run agent-5k --json - | jq '.clusters[0].summary'
                                                  JSON to stdout (the summary goes to stderr)

The same scenario and seed always give byte-identical JSON, for any --jobs (a fleet's clusters share
out over that many worker threads; default: one per CPU core). The result format is documented in
docs/results.md; the scenario format in docs/scenario.md (fields also show in your editor via
schema/scenario.schema.json).
`;

export const runCommand: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('run')
      .description('Simulate a scenario and print a summary; --json writes the full result.')
      .argument('<scenario>', 'a scenario YAML file, or the name of a built-in scenario')
      .option('--seed <n>', "random seed (default: the scenario's seed)", parseSeedOption)
      .option(
        '--jobs <n>',
        'worker threads the clusters share out over (default: CPU cores)',
        parseJobsOption,
      )
      .option(
        '--until <duration>',
        "stop at this simulated time, e.g. 90s, 20m, 1h30m (default: the scenario's duration)",
        parseUntilOption,
      )
      .option('--variant <name>', "apply one of the scenario's variants (what-ifs)")
      .option('--json <file>', 'write the full result as JSON to FILE ("-" for stdout); written atomically')
      .option('--report <dir>', 'write a self-contained HTML report to DIR/index.html (open it in a browser)')
      .option('-q, --quiet', 'print nothing but errors')
      .addHelpText('after', EXAMPLES)
      .action(async (scenarioArg: string, options: RunOptions) => {
        const quiet = options.quiet === true;
        const scenario = loadOrFail(ctx, scenarioArg, { variant: options.variant, quiet });
        const until = options.until ?? scenario.duration;
        const progress = createProgress(ctx, quiet, until);
        const started = performance.now();
        const result = await simulateParallel(scenario, {
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
          until,
          ...(progress ? { onProgress: progress.update } : {}),
        });
        progress?.done();
        const wallSeconds = (performance.now() - started) / 1000;
        if (options.json !== undefined) writeJson(ctx, options.json, result);
        const notes =
          options.report === undefined
            ? []
            : await writeOutputs(ctx, result, { report: options.report }, `stormglass run ${scenarioArg}`);
        if (!quiet) {
          const stream = options.json === '-' ? ctx.io.stderr : ctx.io.stdout;
          const style = options.json === '-' ? ctx.err : ctx.out;
          stream.write(renderRunSummary(result, { style, wallSeconds, jsonTarget: options.json ?? null }));
          for (const n of notes) stream.write(`${n}\n`);
        }
      });
  },
};

/** A one-line progress display on a TTY (never in CI, when quiet, or when stderr is a pipe). */
function createProgress(
  ctx: CliContext,
  quiet: boolean,
  until: number,
): { update: (p: { simulated: number; events: number }) => void; done: () => void } | null {
  const stream = ctx.io.stderr;
  if (quiet || stream.isTTY !== true || (ctx.io.env.CI !== undefined && ctx.io.env.CI !== '')) return null;
  let shown = false;
  return {
    update(p) {
      shown = true;
      const pct = Math.min(100, Math.floor((p.simulated / until) * 100));
      stream.write(
        `\r  simulating ${formatDuration(Math.round(p.simulated))} / ${formatDuration(until)} (${pct}%), ${p.events} events  `,
      );
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}
