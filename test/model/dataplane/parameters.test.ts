import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATAPLANE_PARAMETERS } from '../../../src/model/dataplane/index.js';

test('every data-plane parameter has a unit and a source, and fitted ones say why', () => {
  const names = new Set<string>();
  for (const p of DATAPLANE_PARAMETERS) {
    assert.ok(!names.has(p.name), `duplicate parameter ${p.name}`);
    names.add(p.name);
    assert.ok(p.unit.length > 0, `${p.name} has no unit`);
    assert.ok(p.source.length > 0, `${p.name} has no source`);
    if (p.fitted !== undefined) assert.ok(p.fitted.length > 10, `${p.name} is fitted without a reason`);
  }
});

test('docs/dataplane.md lists every data-plane parameter', () => {
  const doc = readFileSync(join(process.cwd(), 'docs', 'dataplane.md'), 'utf8');
  const missing = DATAPLANE_PARAMETERS.filter((p) => !doc.includes(`\`${p.name}\``)).map((p) => p.name);
  assert.deepEqual(missing, []);
});
