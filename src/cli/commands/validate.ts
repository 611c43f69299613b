import type { Command } from 'commander';
import type { Issue } from '../../scenario/issues.js';
import { applyVariant, loadScenario } from '../../scenario/load.js';
import { serialize } from '../../scenario/serialize.js';
import { type CliContext, type CommandModule, countIssues, writeIssues } from '../context.js';
import { displayPath } from '../io.js';

const EXAMPLES = `
Examples:
  $ stormglass validate my-fleet.yaml             check one scenario (and its manifests and variants)
  $ stormglass validate scenarios/*.yaml          check several; exit 1 if any has an error
  $ stormglass validate agent-5k                  built-ins validate too
  $ stormglass validate my-fleet.yaml --json      issues as JSON (code, severity, path, file, line, column, message, hint)

Every problem is reported with file:line:column, the field's YAML path and how to fix it.
Unknown fields are errors (with a did-you-mean); warnings do not fail validation.
The format reference is docs/scenario.md; for completion in your editor, point it at
schema/scenario.schema.json (e.g. "# yaml-language-server: $schema=<path>/schema/scenario.schema.json").
`;

export const validateCommand: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('validate')
      .description(
        'Check scenario files without running them: schema, defaults, cross-field rules, manifests, variants.',
      )
      .argument('<scenario...>', 'scenario YAML files (or built-in names)')
      .option('--json', 'print the issues as JSON on stdout')
      .option('-q, --quiet', 'print only errors')
      .addHelpText('after', EXAMPLES)
      .action((files: string[], options: { json?: boolean; quiet?: boolean }) => {
        const all: Issue[] = [];
        let failed = 0;
        for (const file of files) {
          const loaded = loadScenario(file);
          const issues = loaded.ok ? [...loaded.warnings] : [...loaded.issues];
          if (loaded.ok) {
            // A variant repeats the base's warnings; show only the ones it adds.
            const key = (i: Issue) =>
              `${i.code}\u0000${i.file}:${i.line}:${i.column}\u0000${i.message.replace(/^variant "[^"]*": /, '')}`;
            const seen = new Set(issues.map(key));
            for (const name of Object.keys(loaded.scenario.variants)) {
              const v = applyVariant(loaded.scenario, name);
              if (!v.ok) continue;
              for (const w of v.warnings) {
                if (seen.has(key(w))) continue;
                seen.add(key(w));
                issues.push(w);
              }
            }
          }
          all.push(...issues);
          if (!loaded.ok) failed++;
          if (options.json) continue;
          const shown = options.quiet ? issues.filter((i) => i.severity === 'error') : issues;
          writeIssues(ctx, shown);
          if (!loaded.ok) {
            ctx.io.stderr.write(
              `${ctx.err.red('✗')} ${displayPath(file, ctx.io.cwd)}: ${countIssues(issues)}\n`,
            );
          } else if (!options.quiet) {
            const s = loaded.scenario;
            const variants = Object.keys(s.variants).length;
            ctx.io.stdout.write(
              `${ctx.out.green('✓')} ${displayPath(file, ctx.io.cwd)}: ${s.name}, ${s.clusters.length} cluster${s.clusters.length === 1 ? '' : 's'}, ${s.workloads.length} workload${s.workloads.length === 1 ? '' : 's'}${variants > 0 ? `, ${variants} variant${variants === 1 ? '' : 's'}` : ''}${issues.length > 0 ? ` (${countIssues(issues)})` : ''}\n`,
            );
          }
        }
        if (options.json) ctx.io.stdout.write(serialize({ ok: failed === 0, issues: all }));
        if (failed > 0) ctx.exitCode = 1;
      });
  },
};
