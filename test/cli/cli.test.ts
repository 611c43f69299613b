import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Command } from 'commander';
import type { CliContext, CommandModule } from '../../src/cli/context.js';
import { UserError } from '../../src/cli/errors.js';
import { writeFileAtomic } from '../../src/cli/io.js';
import { mainWith } from '../../src/cli/main.js';
import { builtInNames } from '../../src/scenario/builtins.js';
import { captureIo, hasStackTrace, runCli } from './capture.js';

/** Cheap to run: these tests are about the command line, not the model. */
const TINY = path.join('test', 'cli', 'fixtures', 'tiny.yaml');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stormglass-cli-'));
}

describe('help', () => {
  for (const argv of [
    ['--help'],
    ['run', '--help'],
    ['validate', '--help'],
    ['list', '--help'],
    ['compare', '--help'],
    ['help', 'run'],
  ]) {
    test(`"stormglass ${argv.join(' ')}" prints usage with examples and exits 0`, async () => {
      const r = await runCli(argv);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: stormglass/);
      assert.match(r.stdout, /\$ stormglass /, 'has at least one example command line');
    });
  }

  test('from the help alone a newcomer finds the built-ins, where the JSON goes and the format docs', async () => {
    const top = await runCli(['--help']);
    const run = await runCli(['run', '--help']);
    assert.match(top.stdout, /stormglass list/);
    assert.match(run.stdout, /--json <file>/);
    assert.match(run.stdout, /docs\/results\.md/);
    assert.match(run.stdout, /docs\/scenario\.md/);
    assert.match(top.stdout, /Exit codes: 0 ok, 1 user error/);
  });

  test('no arguments shows the help, --version the version', async () => {
    assert.match((await runCli([])).stdout, /Usage: stormglass/);
    const v = await runCli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('an unknown command or flag is a user error with a suggestion', async () => {
    const r = await runCli(['rnu', 'agent-5k']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Did you mean run\?/);
    const f = await runCli(['run', 'agent-5k', '--sed', '3']);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /unknown option '--sed'/);
  });
});

describe('list', () => {
  test('shows every built-in on one line with its description', async () => {
    const r = await runCli(['list']);
    assert.equal(r.code, 0);
    for (const name of builtInNames()) {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line && line.trim().length > name.length + 10, `no description line for ${name}`);
    }
  });
});

describe('validate', () => {
  test('passes every built-in and fails on a missing file with a did-you-mean', async () => {
    const ok = await runCli(['validate', ...builtInNames()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.split('\n').filter((l) => l.startsWith('✓')).length, builtInNames().length);
    const missing = await runCli(['validate', 'agent-5kk']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /did you mean the built-in "agent-5k"\?/);
  });

  test('--json reports issues as data', async () => {
    const r = await runCli(['validate', '--json', 'test/fixtures/broken/unknown-field.yaml']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as {
      ok: boolean;
      issues: { code: string; line: number; path: string }[];
    };
    assert.equal(parsed.ok, false);
    assert.deepEqual(
      parsed.issues.map((i) => [i.code, i.line, i.path]),
      [['unknown-field', 14, 'clusters[0].apiServer.replcas']],
    );
  });
});

describe('run', () => {
  test('the same scenario and seed write byte-identical JSON; another seed is recorded as such', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    const c = path.join(dir, 'c.json');
    assert.equal((await runCli(['run', TINY, '--seed', '7', '--json', a])).code, 0);
    assert.equal((await runCli(['run', TINY, '--seed', '7', '--json', b, '--quiet'])).code, 0);
    assert.equal(
      (await runCli(['run', TINY, '--seed', '8', '--until', '1m', '--json', c, '--quiet'])).code,
      0,
    );
    assert.equal(fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8'));
    const result = JSON.parse(fs.readFileSync(c, 'utf8')) as {
      seed: number;
      simulatedSeconds: number;
      schemaVersion: number;
    };
    assert.equal(result.seed, 8);
    assert.equal(result.simulatedSeconds, 60);
    assert.equal(result.schemaVersion, 1);
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      ['a.json', 'b.json', 'c.json'],
      'no temporary files left behind',
    );
  });

  test('prints a summary that says where the JSON went; --quiet prints nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'out.json');
    const r = await runCli(['run', TINY, '--until', '1m', '--json', file]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /tiny seed 1: simulated 1m/);
    assert.match(r.stdout, /full result written to .*out\.json/);
    const q = await runCli(['run', TINY, '--until', '1m', '--quiet']);
    assert.equal(q.stdout + q.stderr, '');
  });

  test('--json - writes the JSON to stdout and the summary to stderr', async () => {
    const r = await runCli(['run', TINY, '--until', '1m', '--json', '-']);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as { scenario: { name: string } }).scenario.name, 'tiny');
    assert.match(r.stderr, /tiny seed 1/);
  });

  test('--variant applies a what-if, and an unknown one is a user error', async () => {
    const r = await runCli([
      'run',
      'dns-apiserver-outage',
      '--variant',
      'serve-stale',
      '--until',
      '1m',
      '--quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const bad = await runCli(['run', 'dns-apiserver-outage', '--variant', 'serve-stal']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /did you mean "serve-stale"\?/);
  });

  test('bad --seed and --until values are user errors that say what to write', async () => {
    const seed = await runCli(['run', TINY, '--seed', '-1']);
    assert.equal(seed.code, 1);
    assert.match(seed.stderr, /whole number from 0 to 4294967295/);
    const until = await runCli(['run', TINY, '--until', '2d']);
    assert.equal(until.code, 1);
    assert.match(until.stderr, /unknown unit "d"/);
  });

  test('an unwritable --json target is a user error and leaves nothing behind', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'missing-dir', 'out.json');
    const r = await runCli(['run', TINY, '--until', '1m', '--json', target]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not exist/);
    assert.equal(hasStackTrace(r.stderr), false);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

describe('compare', () => {
  test('--jobs 2 writes the same JSON and table as --jobs 1', async () => {
    const one = await runCli(['compare', TINY, '--jobs', '1', '--json', '-']);
    const two = await runCli(['compare', TINY, '--jobs', '2', '--json', '-']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.stderr, one.stderr);
    assert.match(two.stderr, /as-published[\s\S]*bigger/);
  });

  test('a --jobs that is not a whole number from 1 up is a user error that says what to write', async () => {
    for (const jobs of ['0', 'abc', '-2', '1.5']) {
      const r = await runCli(['compare', TINY, '--jobs', jobs]);
      assert.equal(r.code, 1, jobs);
      assert.match(r.stderr, /is not a number of jobs; use a whole number from 1 up/, jobs);
      assert.equal(hasStackTrace(r.stderr), false, jobs);
    }
  });
});

describe('output', () => {
  test('NO_COLOR turns colour off even on a terminal; a terminal gets colour otherwise', async () => {
    const plain = await runCli(['validate', 'test/fixtures/broken/unknown-field.yaml'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    assert.equal(plain.stderr.includes('\u001b['), false);
    const colour = await runCli(['validate', 'test/fixtures/broken/unknown-field.yaml'], {
      tty: true,
      env: {},
    });
    assert.equal(colour.stderr.includes('\u001b['), true);
    const piped = await runCli(['validate', 'test/fixtures/broken/unknown-field.yaml']);
    assert.equal(piped.stderr.includes('\u001b['), false);
  });

  test('a failed write removes its temporary file and leaves the target untouched', () => {
    const dir = tempDir();
    const target = path.join(dir, 'result.json');
    fs.writeFileSync(target, 'previous');
    function* failing(): Generator<string> {
      yield '{"half": ';
      throw new Error('serialization failed');
    }
    assert.throws(() => writeFileAtomic(target, failing()), /serialization failed/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'previous');
    assert.deepEqual(fs.readdirSync(dir), ['result.json']);
  });
});

describe('the error boundary', () => {
  const throwing = (error: unknown): CommandModule => ({
    register(program: Command, _ctx: CliContext) {
      program.command('boom').action(() => {
        throw error;
      });
    },
  });

  test('an unexpected error exits 2, says it is a bug and prints the versions', async () => {
    const { io, err } = captureIo();
    const code = await mainWith(['boom'], io, [throwing(new TypeError('undefined is not a function'))]);
    assert.equal(code, 2);
    assert.match(err.text, /This is a bug in stormglass/);
    assert.match(err.text, /stormglass \d+\.\d+\.\d+, node v\d+/);
  });

  test('a UserError exits 1 with what, where and how to fix, and no stack', async () => {
    const { io, err } = captureIo();
    const error = new UserError('the cluster is on fire', {
      file: 'x.yaml',
      line: 3,
      column: 5,
      path: 'clusters[0]',
      hint: 'put it out',
    });
    const code = await mainWith(['boom'], io, [throwing(error)]);
    assert.equal(code, 1);
    assert.equal(
      err.text,
      'error: the cluster is on fire\n  --> x.yaml:3:5 at clusters[0]\n  fix: put it out\n',
    );
    assert.equal(hasStackTrace(err.text), false);
  });
});
