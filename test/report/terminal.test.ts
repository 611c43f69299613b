import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTerminalSummary, sanitize } from '../../src/report/terminal.js';
import { createFleetRun, createHostileRun, createSmallRun } from './fixtures.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (line: string): number => [...line.replace(ANSI, '')].length;

describe('the terminal summary', () => {
  const small = createSmallRun({ hasVariants: true });

  it('fits 100 columns and shows milestones, variants, clusters and the timeline', () => {
    const text = renderTerminalSummary(small, { color: true, width: 100 });
    for (const line of text.split('\n')) assert.ok(visible(line) <= 100, `${visible(line)}: ${line}`);
    for (const part of [
      'Milestones',
      'Variants',
      'Clusters, worst first',
      'Timeline',
      'prod-us-east-1a',
      'T+0:15:00',
    ]) {
      assert.ok(text.includes(part), part);
    }
    assert.match(text, ANSI);
  });

  it('fits narrower terminals too', () => {
    for (const width of [60, 80, 140]) {
      const text = renderTerminalSummary(createFleetRun(12, 1), { color: false, width });
      for (const line of text.split('\n')) assert.ok(visible(line) <= width, `${width}: ${line}`);
    }
  });

  it('writes no escape sequence without colour', () => {
    const text = renderTerminalSummary(small, { color: false, width: 100 });
    assert.ok(!text.includes('\u001b'));
    assert.match(text, /prod-us-east-1a +▁+▅█+/);
  });

  it('lists the worst cluster first', () => {
    const text = renderTerminalSummary(small, { color: false });
    const table = text.slice(text.indexOf('Clusters, worst first'));
    assert.ok(table.indexOf('prod-us-east-1a') < table.indexOf('staging-us-west-2'));
  });

  it('keeps control characters in scenario strings from reaching the terminal', () => {
    const run = createHostileRun();
    const evil = { ...run, scenario: { ...run.scenario, name: 'x\u001b]0;owned\u0007\u001b[2J' } };
    const text = renderTerminalSummary(evil, { color: false });
    assert.ok(!text.includes('\u001b') && !text.includes('\u0007'));
    assert.equal(sanitize('a\u009bb\nc'), 'a\uFFFDb\uFFFDc');
  });
});
