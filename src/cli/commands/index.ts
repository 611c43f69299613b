/**
 * Every command, in the order `stormglass --help` lists them. Adding a command is one line here
 * plus its module exporting a CommandModule.
 */
import type { CommandModule } from '../context.js';
import { compareCommand } from './compare.js';
import { listCommand } from './list.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly CommandModule[] = [
  replayCommand,
  compareCommand,
  runCommand,
  validateCommand,
  listCommand,
];
