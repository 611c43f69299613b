import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeReport } from '../../src/report/write-report.js';
import { createSmallRun } from './fixtures.js';

describe('writeReport', () => {
  it('writes DIR/index.html, creating DIR, and leaves no temporary file', async () => {
    const base = await mkdtemp(join(tmpdir(), 'stormglass-report-'));
    try {
      const dir = join(base, 'nested', 'out');
      const written = await writeReport(createSmallRun(), dir, {
        command: 'stormglass run x.yaml --report out',
      });
      assert.equal(written.path, join(dir, 'index.html'));
      const html = await readFile(written.path, 'utf8');
      assert.equal(Buffer.byteLength(html), written.bytes);
      assert.match(html, /^<!doctype html>/);
      assert.deepEqual(await readdir(dir), ['index.html']);
      // A second write replaces the first in place.
      await writeReport(createSmallRun(), dir);
      assert.deepEqual(await readdir(dir), ['index.html']);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
