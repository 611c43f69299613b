import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { MODEL_DOC_PATH, modelParameters, renderModelDoc } from '../../../src/model/parameter-docs.js';

test('docs/model.md is current (regenerate with: npx tsx src/model/parameter-docs.ts --write)', () => {
  // The repository root: the nearest directory up with a package.json (tests also run from dist/).
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json'))) root = dirname(root);
  const onDisk = readFileSync(join(root, MODEL_DOC_PATH), 'utf8');
  assert.equal(onDisk, renderModelDoc());
});

test('every model parameter has a unit and a source, and every fitted one says why', () => {
  const names = new Set<string>();
  for (const p of modelParameters()) {
    assert.ok(!names.has(p.name), `duplicate ${p.name}`);
    names.add(p.name);
    assert.ok(p.unit.length > 0, `${p.name} has no unit`);
    assert.ok(p.source.length > 0, `${p.name} has no source`);
    if (p.source === 'fitted')
      assert.ok((p.fitted ?? '').length > 20, `${p.name} is fitted without a reason`);
  }
  assert.ok(names.has('apiserver.cpu.etcdDecodePerObject') && names.has('apf.objectsPerSeat'));
});
