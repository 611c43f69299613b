import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent } from '../../src/report/format.js';

test('percentages fit a table column: near-total outages read "<0.01%", near-perfect ones keep their nines', () => {
  assert.equal(formatPercent(0.0000503), '<0.01%');
  assert.equal(formatPercent(0.00503), '0.503%');
  assert.equal(formatPercent(0.999538), '99.95%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(1), '100%');
  for (const f of [1e-9, 3e-6, 0.0001, 0.01234, 0.5, 0.98765, 0.99999])
    assert.ok(formatPercent(f).length <= 7, `${formatPercent(f)} fits 7 columns`);
});
