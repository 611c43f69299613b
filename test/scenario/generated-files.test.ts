import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/scenario/builtins.js';
import { generateJsonSchema, renderReference } from '../../src/scenario/json-schema.js';
import { serialize } from '../../src/scenario/serialize.js';
import { STORMGLASS_VERSION } from '../../src/scenario/version.js';

// Regenerate with: STORMGLASS_UPDATE=1 npx tsx --test test/scenario/generated-files.test.ts
const update = process.env.STORMGLASS_UPDATE === '1';
const root = packageRoot();
const BEGIN = '<!-- BEGIN GENERATED REFERENCE -->';
const END = '<!-- END GENERATED REFERENCE -->';

test('schema/scenario.schema.json is the schema generated from the code', () => {
  const file = path.join(root, 'schema', 'scenario.schema.json');
  const expected = serialize(generateJsonSchema());
  if (update) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, expected);
  }
  assert.ok(fs.existsSync(file), 'schema/scenario.schema.json is missing');
  assert.equal(
    fs.readFileSync(file, 'utf8'),
    expected,
    'stale: regenerate with STORMGLASS_UPDATE=1 (see the top of this test)',
  );
});

test('the field reference in docs/scenario.md is the one generated from the schema', () => {
  const file = path.join(root, 'docs', 'scenario.md');
  const doc = fs.readFileSync(file, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, 'docs/scenario.md lacks the generated-reference markers');
  const current = doc.slice(start + BEGIN.length, end);
  const expected = `\n${renderReference()}`;
  if (update && current !== expected) {
    fs.writeFileSync(file, doc.slice(0, start + BEGIN.length) + expected + doc.slice(end));
    return;
  }
  assert.equal(current, expected, 'stale: regenerate with STORMGLASS_UPDATE=1 (see the top of this test)');
});

test('the version results carry is the one in package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(STORMGLASS_VERSION, pkg.version);
});
