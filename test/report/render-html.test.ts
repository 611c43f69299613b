import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RunResult } from '../../src/model/result.js';
import { unshuffle } from '../../src/report/encode.js';
import { escapeHtml, jsonForScript, renderHtmlReport } from '../../src/report/render-html.js';
import { displayValues } from '../../src/report/series-families.js';
import { createHostileRun, createSmallRun, HOSTILE } from './fixtures.js';
import { embeddedData, inflate, inlineBlocks } from './helpers.js';

const small = createSmallRun({ hasVariants: true });
const html = renderHtmlReport(small, { command: 'stormglass replay fm-009 --report out' });

function csp(page: string): Map<string, string[]> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page);
  assert.ok(match, 'a CSP meta tag');
  const policy = match[1]!.replaceAll('&#39;', "'");
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

const hashOf = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the HTML report', () => {
  it('allows exactly its own inline scripts and styles by hash, and no source at all', () => {
    const policy = csp(html);
    const { scripts, styles } = inlineBlocks(html);
    assert.equal(scripts.length, 2, 'uPlot and the report script');
    assert.deepEqual(policy.get('script-src'), scripts.map(hashOf));
    assert.deepEqual(policy.get('style-src'), styles.map(hashOf));
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('connect-src'), ["'none'"]);
    for (const values of policy.values()) {
      for (const v of values) assert.match(v, /^'(none|sha256-[A-Za-z0-9+/=]+)'$/, v);
    }
    assert.doesNotMatch(html, /\s(src|href|action|srcset)="(?!#)/, 'nothing to load: only in-page links');
    assert.doesNotMatch(html, / style="/, 'no style attributes: the CSP would block them');
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style>'), 'the policy comes first');
  });

  it('inlines uPlot from node_modules', () => {
    assert.match(html, /uPlot/);
    assert.ok(html.length > 50_000);
  });

  it('renders the same bytes for the same result', () => {
    assert.equal(renderHtmlReport(small, { command: 'stormglass replay fm-009 --report out' }), html);
  });

  it('shows scenario, seed, version, parameters, milestones and variants', () => {
    for (const text of [
      'fm-009',
      '<dt>seed</dt><dd>42</dd>',
      '<dt>stormglass</dt><dd>0.1.0</dd>',
      'stormglass replay fm-009 --report out',
      'maxMutatingRequestsInflight',
      'not disclosed by the postmortem',
      'Milestones: simulated vs published',
      'T+0:20:00',
      'Variants side by side',
      'break-glass-kill-switch',
    ]) {
      assert.ok(html.includes(text), text);
    }
  });

  it('leaves out the milestone and variant sections when a run has none', () => {
    const plain: RunResult = { ...small, milestones: {}, variants: [] };
    const { published: _, ...withoutPublished } = plain;
    const page = renderHtmlReport(withoutPublished);
    assert.ok(!page.includes('id="milestones"'));
    assert.ok(!page.includes('id="variants"'));
    assert.ok(page.includes('id="fleet"'));
  });

  it('escapes every scenario string: no markup from a scenario reaches the page as markup', () => {
    const page = renderHtmlReport(createHostileRun());
    for (const bad of Object.values(HOSTILE)) assert.ok(!page.includes(bad), `raw: ${bad}`);
    assert.doesNotMatch(page, /<img|<iframe|<svg onload|<a href="javascript|<b class="injected"/i);
    assert.doesNotMatch(page, /\s(src|href|action|srcset)="(?!#)/);
    assert.equal((page.match(/<script/g) ?? []).length, 3, 'only the data block and the two scripts');
    assert.equal((page.match(/<\/script/gi) ?? []).length, 3);
    assert.ok(page.includes(escapeHtml(HOSTILE.scenario)));
    // The data block still carries the strings exactly, for the browser to set as text.
    const data = embeddedData(page);
    assert.equal(data.clusters[0]!.name, HOSTILE.cluster);
    assert.equal(data.clusters[0]!.region, HOSTILE.region);
  });

  it('makes JSON inert inside a script block', () => {
    const text = jsonForScript({ a: '</script><!-- & \u2028' });
    assert.doesNotMatch(text, /[<>&\u2028]/);
    assert.deepEqual(JSON.parse(text), { a: '</script><!-- & \u2028' });
  });

  it('embeds every series at full resolution when it fits, as chart values', () => {
    const data = embeddedData(html);
    assert.equal(data.chartStepSeconds, small.resolutionSeconds);
    const cluster = small.clusters[0]!;
    const values = unshuffle(new Uint8Array(inflate(data.clusters[0]!.blob)));
    assert.equal(values.length, cluster.series.length * data.chartPoints);
    cluster.series.forEach((s, k) => {
      const expected = displayValues(s, small.resolutionSeconds);
      expected.forEach((v, i) => {
        const got = values[k * data.chartPoints + i]!;
        if (v === null) assert.ok(Number.isNaN(got), `${s.name}[${i}] null`);
        else assert.ok(Math.abs(got - v) <= Math.abs(v) * 1e-3 + 1e-12, `${s.name}[${i}] ${got} vs ${v}`);
      });
    });
    const kinds = data.clusters[0]!.series.map(([kind]) => data.seriesKinds[kind]!);
    assert.equal(
      kinds.find((k) => k.name === 'apiserver_flowcontrol_rejected_requests_total')?.unit,
      'requests/s',
    );
    assert.ok(
      kinds.some((k) => k.f === -1),
      'unknown metrics go to "other metrics"',
    );
    assert.ok(data.seriesKinds.length < 30, 'kinds are shared, not repeated per series');
  });

  it('downsamples the charts (by the worst value) and says so when the data would not fit', () => {
    const page = renderHtmlReport(small, { maxChartBytes: 60_000 });
    const data = embeddedData(page);
    assert.ok(data.chartStepSeconds > small.resolutionSeconds);
    const bytes = data.clusters.reduce((n, c) => n + c.blob.length, 0);
    assert.ok(bytes <= 60_000, `${bytes}`);
    assert.match(page, /Per-cluster charts show one point per \d+ s/);
    // The heatmap keeps every step.
    assert.equal(inflate(data.heat.badness).length, small.clusters.length * data.steps);
  });

  it('puts the worst cluster first and fleet-wide events in their own scope', () => {
    const data = embeddedData(html);
    assert.equal(data.clusters[data.defaultCluster]!.name, 'prod-us-east-1a');
    assert.ok(data.scopes.includes('fleet'));
    const events = JSON.parse(inflate(data.events.blob!).toString('utf8')) as [
      number,
      number,
      number,
      number,
      string,
    ][];
    assert.equal(events.length, small.events.length);
    assert.ok(data.kinds.some((k) => k.name === 'apiserver-oom-killed' && k.category === 'restart'));
    assert.ok(data.kinds.some((k) => k.name === 'response-traffic-shifted' && k.category === 'response'));
  });
});
