import type { Command } from 'commander';
import { listBuiltIns } from '../../scenario/builtins.js';
import { serialize } from '../../scenario/serialize.js';
import type { CliContext, CommandModule } from '../context.js';

const EXAMPLES = `
Examples:
  $ stormglass list                 one line per built-in scenario
  $ stormglass run agent-5k         run one of them by name
  $ stormglass list --json          names, descriptions and file paths as JSON

Built-ins are YAML files in the package's scenarios/ folder: copy one to start your own.
`;

export const listCommand: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('list')
      .description('List the built-in scenarios, one line each.')
      .option('--json', 'print them as JSON')
      .addHelpText('after', EXAMPLES)
      .action((options: { json?: boolean }) => {
        const builtIns = listBuiltIns();
        if (options.json) {
          ctx.io.stdout.write(
            serialize(builtIns.map((b) => ({ name: b.name, description: b.description, path: b.path }))),
          );
          return;
        }
        const width = Math.max(0, ...builtIns.map((b) => b.name.length));
        for (const b of builtIns)
          ctx.io.stdout.write(`${ctx.out.bold(b.name.padEnd(width))}  ${b.description}\n`);
        ctx.io.stdout.write(
          ctx.out.dim(`\nRun one with: stormglass run <name>   (stormglass run --help for options)\n`),
        );
      });
  },
};
