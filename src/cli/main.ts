/**
 * The stormglass command line. `main` is the one error boundary: user errors (UserError, bad
 * flags) print what, where and how to fix and return 1; anything else is a bug and returns 2
 * with the versions to report. Exit codes: 0 ok, 1 user error, 2 internal error.
 */
import { Command, CommanderError } from 'commander';
import { STORMGLASS_VERSION } from '../scenario/version.js';
import { COMMANDS } from './commands/index.js';
import { type CliContext, type CommandModule, createContext, writeIssues } from './context.js';
import { UserError } from './errors.js';
import { type CliIo, displayPath, processIo } from './io.js';

const OVERVIEW = `
stormglass simulates Kubernetes control planes and fleets from their mechanisms (API Priority and
Fairness, API-server CPU and memory, etcd, client-go retries, DNS caches) so you can rehearse a
rollout, an incident or a mitigation in seconds.

Start here:
  $ stormglass list                              the built-in scenarios
  $ stormglass run agent-5k                      run one and read the summary
  $ stormglass run agent-5k --json out.json      the full result as JSON (docs/results.md)
  $ stormglass validate my-scenario.yaml         check your own scenario (docs/scenario.md)
  $ stormglass run --help                        every option of a command, with examples

Exit codes: 0 ok, 1 user error (bad scenario, file or flag), 2 internal error (a bug).
Colour is off when NO_COLOR is set or output is not a terminal.
`;

export function buildProgram(ctx: CliContext, commands: readonly CommandModule[] = COMMANDS): Command {
  const program = new Command('stormglass')
    .description('A digital twin of Kubernetes control planes and fleets.')
    .version(ctx.version, '-V, --version', 'print the stormglass version')
    .helpOption('-h, --help', 'show help (every command has its own --help with examples)')
    .addHelpText('after', OVERVIEW)
    .showHelpAfterError('(add --help for usage and examples)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(ctx.err.red(s)),
    });
  program.helpCommand('help [command]', 'show help for a command');
  for (const command of commands) command.register(program, ctx);
  return program;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return mainWith(argv, io, COMMANDS);
}

/** main with a chosen command set (tests exercise the error boundary with their own commands). */
export async function mainWith(
  argv: string[],
  io: CliIo,
  commands: readonly CommandModule[],
): Promise<number> {
  const ctx = createContext(io, STORMGLASS_VERSION);
  const program = buildProgram(ctx, commands);
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help / version).
      return error.exitCode === 0 ? 0 : 1;
    }
    if (error instanceof UserError) {
      reportUserError(ctx, error);
      return 1;
    }
    reportBug(ctx, error);
    return 2;
  }
}

function reportUserError(ctx: CliContext, error: UserError): void {
  const d = error.details;
  if (d.issues && d.issues.length > 0) {
    writeIssues(ctx, d.issues);
    ctx.io.stderr.write(`${ctx.err.red('✗')} ${error.message}\n`);
    return;
  }
  const where = d.file
    ? `${displayPath(d.file, ctx.io.cwd)}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}`
    : '';
  let out = `${ctx.err.red(ctx.err.bold('error'))}: ${error.message}\n`;
  if (where || d.path) out += `  ${ctx.err.cyan('-->')} ${where}${d.path ? ` at ${d.path}` : ''}\n`;
  if (d.hint) out += `  ${ctx.err.green('fix:')} ${d.hint}\n`;
  ctx.io.stderr.write(out);
}

function reportBug(ctx: CliContext, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  ctx.io.stderr.write(
    `${ctx.err.red(ctx.err.bold('internal error'))}: ${e.message}\n` +
      'This is a bug in stormglass, not a problem with your input. Please report it with this output:\n' +
      `  stormglass ${ctx.version}, node ${process.version}, ${process.platform} ${process.arch}\n` +
      `${(e.stack ?? '')
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
  );
}
