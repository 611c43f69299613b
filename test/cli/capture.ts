/** Runs the CLI in-process with captured output (no terminal, no colour unless asked). */
import type { CliIo, OutStream } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { packageRoot } from '../../src/scenario/builtins.js';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Sink implements OutStream {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export function captureIo(options: { env?: Record<string, string>; tty?: boolean; cwd?: string } = {}): {
  io: CliIo;
  out: Sink;
  err: Sink;
} {
  const out = new Sink(options.tty ?? false);
  const err = new Sink(options.tty ?? false);
  return {
    io: { stdout: out, stderr: err, env: options.env ?? {}, cwd: options.cwd ?? packageRoot() },
    out,
    err,
  };
}

export async function runCli(
  argv: string[],
  options: { env?: Record<string, string>; tty?: boolean; cwd?: string } = {},
): Promise<Captured> {
  const { io, out, err } = captureIo(options);
  const code = await main(argv, io);
  return { code, stdout: out.text, stderr: err.text };
}

/** A stack trace line ("    at fn (file:1:2)") or an uncaught error's name. */
export function hasStackTrace(text: string): boolean {
  return (
    /^\s+at .+:\d+:\d+\)?$/m.test(text) || /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/.test(text)
  );
}
