/**
 * `writeReport(result, dir)`: the report's one I/O edge. Writes DIR/index.html atomically (a
 * temporary file in the same directory, then a rename), so a reader never sees half a report.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../model/result.js';
import { type HtmlReportOptions, renderHtmlReport } from './render-html.js';

export interface WrittenReport {
  /** Absolute or dir-relative path of the written index.html. */
  readonly path: string;
  readonly bytes: number;
}

export async function writeReport(
  result: RunResult,
  dir: string,
  options: HtmlReportOptions = {},
): Promise<WrittenReport> {
  const html = renderHtmlReport(result, options);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'index.html');
  const temporary = join(dir, `.index.html.${process.pid}.tmp`);
  try {
    await writeFile(temporary, html, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { path, bytes: Buffer.byteLength(html, 'utf8') };
}
