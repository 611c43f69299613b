import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/scenario/builtins.js';
import { hasStackTrace, runCli } from './capture.js';

const dir = path.join(packageRoot(), 'test', 'fixtures', 'broken');
const fixtures = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Each fixture states what must be reported, in its header: "# expect-<what>: <value>". */
function expectations(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    const m = /^# expect-([a-z]+): (.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

describe('broken scenario files', () => {
  test('there are at least 15 of them, each stating what it breaks', () => {
    assert.ok(fixtures.length >= 15, `only ${fixtures.length} fixtures`);
    for (const f of fixtures) {
      const e = expectations(f);
      assert.ok(e.code && e.at && e.hint, `${f} lacks expect-code/at/hint`);
    }
  });

  for (const file of fixtures) {
    test(`${file} fails validate and run with exit 1, file:line, field path, a fix hint and no stack trace`, async () => {
      const e = expectations(file);
      const target = path.join('test', 'fixtures', 'broken', file);
      const where = `${path.join('test', 'fixtures', 'broken', e.file ?? file)}:${e.at}`;
      for (const argv of [
        ['validate', target],
        ['run', target],
      ]) {
        const r = await runCli(argv);
        assert.equal(r.code, 1, `${argv.join(' ')} exit code; stderr:\n${r.stderr}`);
        assert.ok(r.stderr.includes(`[${e.code}]`), `expected code ${e.code} in:\n${r.stderr}`);
        assert.ok(r.stderr.includes(`--> ${where}`), `expected ${where} in:\n${r.stderr}`);
        if (e.path)
          assert.ok(r.stderr.includes(` at ${e.path}\n`), `expected path ${e.path} in:\n${r.stderr}`);
        const hint = (e.hint ?? '').trim();
        const fixLine = r.stderr.split('\n').find((l) => l.trim().startsWith('fix:') && l.includes(hint));
        assert.ok(fixLine, `expected a fix line containing "${hint}" in:\n${r.stderr}`);
        assert.equal(hasStackTrace(r.stderr), false, `stack trace in:\n${r.stderr}`);
        assert.equal(r.stdout, '', 'nothing on stdout for a failed scenario');
      }
    });
  }
});
