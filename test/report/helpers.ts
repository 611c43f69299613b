/** Shared by the report and browser tests: where the repository is, and the data a report embeds. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ReportData } from '../../src/report/render-html.js';

/** The repository root, whether the tests run from test/ (tsx) or dist/test/ (compiled). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith(`${'/'}dist`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

/** The JSON a report embeds for its browser script. */
export function embeddedData(html: string): ReportData {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no report-data block');
  return JSON.parse(match[1]!) as ReportData;
}

export function inflate(base64: string): Buffer {
  return gunzipSync(Buffer.from(base64, 'base64'));
}

/** Inline <script> (without a type) and <style> bodies, in document order. */
export function inlineBlocks(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  return { scripts, styles };
}
