/**
 * The CLI's only contact with the terminal and the file system: injectable streams (tests pass
 * their own), colour that respects NO_COLOR and non-TTY output, and atomic file writes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';

export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

/** Colour only on a TTY, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function isColorWanted(stream: OutStream, env: CliIo['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

/** A path as the user would type it from their working directory. */
export function displayPath(file: string, cwd: string): string {
  if (file === '' || !path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Writes `chunks` to `file` atomically: into a temporary file in the same directory, flushed,
 * then renamed over the target. If anything fails (including producing the chunks), the
 * temporary file is removed and the target is untouched.
 */
export function writeFileAtomic(file: string, chunks: Iterable<string>): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw writeError(file, dir, e);
  }
  let isOpen = true;
  let isDone = false;
  try {
    for (const chunk of chunks) fs.writeSync(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    isOpen = false;
    fs.renameSync(tmp, file);
    isDone = true;
  } finally {
    if (isOpen) fs.closeSync(fd);
    if (!isDone) fs.rmSync(tmp, { force: true });
  }
}

function writeError(file: string, dir: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new UserError(`cannot write ${file}: the directory ${dir} does not exist`, {
      hint: 'create the directory first, or choose another path',
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UserError(`cannot write ${file}: permission denied`, {
      hint: 'choose a path you can write to',
    });
  }
  if (code === 'ENOTDIR') {
    return new UserError(`cannot write ${file}: part of the path is a file, not a directory`, {
      hint: 'check the path',
    });
  }
  return e instanceof Error ? e : new Error(String(e));
}
