import type { Command } from 'commander';
import type { VariantResult } from '../../model/result.js';
import { compareVariantsParallel } from '../../scenario/compare-parallel.js';
import {
  type CliContext,
  type CommandModule,
  loadOrFail,
  parseJobsOption,
  parseSeedOption,
} from '../context.js';
import type { Style } from '../io.js';
import { humanStream, startProgress, writeOutputs } from '../output.js';

interface CompareOptions {
  readonly seed?: number;
  readonly jobs?: number;
  readonly json?: string;
  readonly report?: string;
  readonly quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ stormglass compare fm-009                   what each published lesson would have changed
  $ stormglass compare fm-009 --json cmp.json   the table as JSON: variants[] (docs/results.md)
  $ stormglass compare fm-009 --report out      the variants side by side in out/index.html
  $ stormglass compare ./my-fleet.yaml          your own scenario and the variants it defines
  $ stormglass compare fm-009 --jobs 1          one run at a time, in this process (less memory)

Each variant is an overlay defined in the scenario file (variants:); the scenario as written is
"as-published". Every variant runs with the same seed. The runs share out over --jobs worker threads
(default: one per CPU core, at most one per run); the table and JSON are the same for any --jobs.
`;

export const compareCommand: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('compare')
      .description('Run a scenario and each of its variants (what-ifs) and print a table of outcomes.')
      .argument('<scenario>', 'a scenario YAML file, or the name of a built-in scenario')
      .option('--seed <n>', "random seed (default: the scenario's seed)", parseSeedOption)
      .option(
        '--jobs <n>',
        'runs at once, each on a worker thread (default: CPU cores, at most one per run)',
        parseJobsOption,
      )
      .option('--json <file>', 'write the as-published run with its variants[] to FILE ("-" for stdout)')
      .option('--report <dir>', 'write a self-contained HTML report to DIR/index.html')
      .option('-q, --quiet', 'print nothing but errors')
      .addHelpText('after', EXAMPLES)
      .action(async (name: string, options: CompareOptions) => {
        const quiet = options.quiet === true;
        const scenario = loadOrFail(ctx, name, { quiet });
        const count = Object.keys(scenario.variants).length + 1;
        const progress = startProgress(ctx, quiet, scenario.duration * count, `compare ${scenario.name}`);
        const { base, variants } = await compareVariantsParallel(scenario, {
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
          onProgress: (p) => progress.update(p),
        });
        progress.finish();
        const notes = await writeOutputs(ctx, base, options, `stormglass compare ${name}`);
        if (quiet) return;
        const { stream, color } = humanStream(ctx, options);
        stream.write(renderVariantTable(scenario.name, variants, color ? ctx.out : ctx.err));
        for (const n of notes) stream.write(`${n}\n`);
      });
  },
};

export function renderVariantTable(name: string, rows: readonly VariantResult[], style: Style): string {
  const fmt = (v: number | null) => (v === null ? 'never' : `${v}`);
  const head = ['variant', 'impact min', 'clusters hit', 'detect min', 'mitigate min', 'recovered min'];
  const body = rows.map((r) => [
    r.name,
    `${r.customerImpactMinutes}`,
    `${r.clustersAffected}`,
    fmt(r.timeToDetectMinutes),
    fmt(r.timeToMitigateMinutes),
    fmt(r.timeToFullRecoveryMinutes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  let out = `\n${style.bold(`${name}: what each variant changes`)} ${style.dim('(minutes from the start of the rollout)')}\n`;
  out += `${style.dim(line(head))}\n`;
  for (const r of body) out += `${line(r)}\n`;
  out += '\n';
  for (const r of rows) if (r.description) out += `${style.dim(`${r.name}: ${r.description}`)}\n`;
  return out;
}
