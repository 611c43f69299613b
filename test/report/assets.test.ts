import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPORT_SCRIPT, REPORT_STYLE } from '../../src/report/assets/generated.js';
import { repoRoot } from './helpers.js';

const assets = join(repoRoot(), 'src', 'report', 'assets');

describe('the report’s bundled assets', () => {
  it('match their sources (run `node scripts/build-report-assets.mjs` after editing them)', () => {
    assert.equal(REPORT_SCRIPT, readFileSync(join(assets, 'report-client.js'), 'utf8'));
    assert.equal(REPORT_STYLE, readFileSync(join(assets, 'report.css'), 'utf8'));
  });

  it('never turn strings into markup or code in the browser', () => {
    for (const sink of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'new Function',
    ]) {
      assert.ok(!REPORT_SCRIPT.includes(sink), sink);
    }
    assert.doesNotMatch(REPORT_SCRIPT, /setAttribute\(\s*['"]style/);
  });

  it('parse as a script', () => {
    assert.doesNotThrow(() => new Function(REPORT_SCRIPT));
  });
});
