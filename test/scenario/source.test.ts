import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergePatch, parseYamlFile, parseYamlStream, SourceIndex } from '../../src/scenario/source.js';

describe('YAML with positions', () => {
  test('every value can be located back to its line and column, through anchors and merge keys', () => {
    const index = new SourceIndex();
    const text = 'base: &b\n  x: 1\n  y: 2\nobj:\n  <<: *b\n  y: 3\nlist:\n  - a\n  - { k: v }\n';
    const { value, issues } = parseYamlFile(text, 'f.yaml', index);
    assert.deepEqual(issues, []);
    assert.deepEqual(value, { base: { x: 1, y: 2 }, obj: { y: 3, x: 1 }, list: ['a', { k: 'v' }] });
    assert.deepEqual(index.locate(value, ['obj', 'y']), {
      file: 'f.yaml',
      line: 6,
      column: 6,
      path: ['obj', 'y'],
    });
    assert.equal(index.locate(value, ['obj', 'x'])?.line, 2, 'a merged key points at its definition');
    assert.equal(index.locate(value, ['list', 1, 'k'])?.line, 9);
    assert.equal(index.locate(value, ['obj', 'y'], 'key')?.column, 3);
    const missing = index.locate(value, ['obj', 'nope', 'deeper']);
    assert.deepEqual(
      [missing?.line, missing?.path],
      [5, ['obj', 'nope', 'deeper']],
      'a missing field points at its parent',
    );
  });

  test('a self-referencing alias or absurd nesting is an issue, not a crash', () => {
    const index = new SourceIndex();
    const self = parseYamlFile('a: &x [ *x ]\n', 'f.yaml', index);
    assert.ok(self.issues.length > 0);
    const deep = parseYamlFile(`${'['.repeat(200)}${']'.repeat(200)}\n`, 'f.yaml', index);
    assert.equal(deep.issues[0]?.code, 'yaml-too-deep');
  });

  test('keys like __proto__ stay plain data', () => {
    const index = new SourceIndex();
    const { value } = parseYamlFile('__proto__: { polluted: true }\n', 'f.yaml', index);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys(value as object), ['__proto__']);
  });

  test('a scenario file holds one document; a manifest file may hold many', () => {
    const index = new SourceIndex();
    assert.equal(
      parseYamlFile('a: 1\n---\nb: 2\n', 'f.yaml', index).issues[0]?.code,
      'yaml-multiple-documents',
    );
    const stream = parseYamlStream('a: 1\n---\nb: 2\n---\n', 'm.yaml', index);
    assert.deepEqual(stream.values, [{ a: 1 }, { b: 2 }]);
    assert.equal(index.locate(stream.values[1], ['b'])?.line, 3);
  });
});

describe('merge patches', () => {
  test("merge by name, delete with null, and keep both sides' positions", () => {
    const index = new SourceIndex();
    const base = parseYamlFile(
      'items:\n  - { name: a, n: 1 }\n  - { name: b, n: 2 }\nkeep: 1\ndrop: 2\n',
      'base.yaml',
      index,
    ).value;
    const patch = parseYamlFile(
      'items:\n  - { name: b, n: 20 }\n  - { name: c, n: 3 }\ndrop: null\n',
      'patch.yaml',
      index,
    ).value;
    const merged = mergePatch(base, patch, index);
    assert.deepEqual(merged, {
      items: [
        { name: 'a', n: 1 },
        { name: 'b', n: 20 },
        { name: 'c', n: 3 },
      ],
      keep: 1,
    });
    assert.equal(index.locate(merged, ['items', 1, 'n'])?.file, 'patch.yaml');
    assert.equal(index.locate(merged, ['items', 0, 'n'])?.file, 'base.yaml');
    assert.equal(index.locate(merged, ['keep'])?.file, 'base.yaml');
  });
});
