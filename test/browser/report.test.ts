import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunResult } from '../../src/model/result.js';
import { MAX_REPORT_BYTES } from '../../src/report/render-html.js';
import { writeReport } from '../../src/report/write-report.js';
import { createFleetRun, createHostileRun, createSmallRun, HOSTILE } from '../report/fixtures.js';
import { artifactPath, drawnPixels, launchChromium, loadReport, openWatched } from './chromium.js';

/** The row height and top strip of the heatmap (report-client.js) for a run of three clusters. */
const HEAT_TOP = 16;
const HEAT_ROW = 18;

describe('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  before(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'stormglass-browser-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads a small run with no console error and no request, and draws the heatmap and every chart', async () => {
    const { path } = await writeReport(createSmallRun({ hasVariants: true }), join(dir, 'small'), {
      command: 'stormglass replay fm-009 --report out',
    });
    const watched = await openWatched(browser, path);
    await loadReport(watched, path);
    const { page } = watched;
    assert.deepEqual(watched.errors, []);
    assert.deepEqual(watched.requests, []);

    const [heat] = await drawnPixels(page, '#heatmap');
    assert.ok(heat! > 50_000, `heatmap drew ${heat} pixels`);
    const [strip] = await drawnPixels(page, '#event-strip');
    assert.ok(strip! > 500, `event strip drew ${strip} pixels`);
    const fleet = await drawnPixels(page, '#fleet-chart canvas');
    assert.ok(fleet.length === 1 && fleet[0]! > 2000, `fleet chart drew ${fleet}`);

    const families = await page.$$eval('#charts .chart', (cards) =>
      cards.map((c) => c.getAttribute('data-family')),
    );
    assert.deepEqual(families, [
      'api-latency',
      'apf-seats',
      'apf-queued',
      'apf-rejected',
      'cpu',
      'memory',
      'replicas',
      'etcd',
      'nodes',
      'dns',
      'availability',
    ]);
    const charts = await drawnPixels(page, '#charts canvas');
    assert.equal(charts.length, families.length);
    for (const [i, pixels] of charts.entries())
      assert.ok(pixels > 1000, `${families[i]} drew ${pixels} pixels`);
    const others = await drawnPixels(page, '#other-charts canvas');
    assert.equal(others.length, 2, 'the two metrics no family knows');
    assert.equal(await page.textContent('#cluster-name'), 'prod-us-east-1a', 'the worst cluster opens first');
    assert.ok((await page.$$('#event-rows tr')).length > 10);
    assert.ok((await page.$$('#milestones circle')).length >= 13, 'simulated and published milestones');
    assert.ok((await page.$$('#variants rect.bar')).length > 0);

    await page.screenshot({ path: await artifactPath('report-small.png') });
    await page.screenshot({ path: await artifactPath('report-small-full.png'), fullPage: true });
    await page.close();
  });

  it('opens a cluster’s charts when its heatmap row is clicked', async () => {
    const { path } = await writeReport(createSmallRun(), join(dir, 'click'));
    const watched = await openWatched(browser, path);
    await loadReport(watched, path);
    const { page } = watched;
    await page.locator('#heatmap').scrollIntoViewIfNeeded();
    const box = await page.locator('#heatmap').boundingBox();
    assert.ok(box);
    // Rows follow first breach: prod-us-east-1a, prod-eu-west-1b, then staging-us-west-2, which never breached.
    await page.mouse.click(box.x + box.width * 0.6, box.y + HEAT_TOP + 2.5 * HEAT_ROW);
    await page.locator('#cluster-name', { hasText: /^staging-us-west-2$/ }).waitFor();
    // Locators, not waitForFunction(string): the report's CSP rightly forbids evaluating strings.
    await page.locator('#charts canvas').nth(10).waitFor();
    const charts = await drawnPixels(page, '#charts canvas');
    for (const pixels of charts) assert.ok(pixels > 500, `${pixels}`);
    assert.match((await page.textContent('#cluster-health')) ?? '', /within objectives/);
    // The cluster's events filter follows the selection.
    await page.check('#event-selected');
    const scopes = await page.$$eval('#event-rows tr td:nth-child(2)', (cells) =>
      cells.map((c) => c.textContent),
    );
    assert.ok(scopes.length > 0 && scopes.every((s) => s === 'staging-us-west-2'), scopes.join());
    assert.deepEqual(watched.errors, []);
    await page.locator('#cluster').screenshot({ path: await artifactPath('report-cluster-click.png') });
    await page.close();
  });

  it('renders names containing HTML and script as text: no dialog, no injected element', async () => {
    const { path } = await writeReport(createHostileRun(), join(dir, 'hostile'));
    const watched = await openWatched(browser, path);
    await loadReport(watched, path);
    const { page } = watched;
    // Hover and click around so that tooltips and tables built from these strings exist.
    await page.locator('#heatmap').scrollIntoViewIfNeeded();
    const box = await page.locator('#heatmap').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.5, box.y + HEAT_TOP + HEAT_ROW / 2);
    await page.mouse.click(box.x + box.width * 0.5, box.y + HEAT_TOP + HEAT_ROW / 2);
    await page.locator('#charts canvas').first().waitFor();
    assert.deepEqual(watched.dialogs, []);
    assert.deepEqual(watched.errors, []);
    assert.deepEqual(watched.requests, []);
    assert.equal(await page.locator('img, iframe, .injected, [onerror], [onload], [onmouseover]').count(), 0);
    assert.equal(await page.locator('script').count(), 3);
    assert.equal(await page.textContent('h1'), HOSTILE.scenario);
    assert.equal(await page.textContent('#cluster-name'), HOSTILE.cluster);
    const messages = await page.$$eval('#event-rows td.msg', (cells) => cells.map((c) => c.textContent));
    assert.ok(messages.includes(HOSTILE.message));
    const variants = await page.$$eval('#variants tbody b', (cells) => cells.map((c) => c.textContent));
    assert.ok(variants.includes(HOSTILE.variant));
    const parameters = await page.textContent('#parameter-rows');
    assert.ok(parameters?.includes(HOSTILE.parameter));
    const otherTitles = await page.$$eval('#other-charts h4', (h) => h.map((e) => e.textContent));
    assert.ok(otherTitles.includes(HOSTILE.metric));
    await page.screenshot({ path: await artifactPath('report-hostile.png') });
    await page.close();
  });

  it('loads a run with no cluster, fleet series or event without errors', async () => {
    const empty: RunResult = {
      ...createSmallRun(),
      clusters: [],
      fleet: null,
      events: [],
      milestones: {},
      variants: [],
      parameters: [],
    };
    const { path } = await writeReport(empty, join(dir, 'empty'));
    const watched = await openWatched(browser, path);
    await loadReport(watched, path);
    assert.deepEqual(watched.errors, []);
    assert.equal(await watched.page.locator('#charts canvas').count(), 0);
    await watched.page.close();
  });

  it('keeps an fm-009-sized fleet report (200 clusters, 6 h at 10 s) under 15 MB and opens it', async (t) => {
    const run = createFleetRun(200, 6);
    const renderStarted = performance.now();
    const { path, bytes } = await writeReport(run, join(dir, 'fleet'));
    const renderMs = performance.now() - renderStarted;
    assert.equal((await stat(path)).size, bytes);
    assert.ok(bytes < MAX_REPORT_BYTES, `${bytes} bytes`);
    const watched = await openWatched(browser, path);
    const { wallMs, readyMs } = await loadReport(watched, path);
    assert.deepEqual(watched.errors, []);
    assert.deepEqual(watched.requests, []);
    const [heat] = await drawnPixels(watched.page, '#heatmap');
    assert.ok(heat! > 100_000);
    // Timing is reported, never asserted: see the report's numbers in the test output.
    const line = `fm-009-sized report: ${(bytes / 1e6).toFixed(2)} MB, rendered in ${Math.round(renderMs)} ms, ready in ${Math.round(readyMs)} ms after navigation (${Math.round(wallMs)} ms wall from goto)`;
    t.diagnostic(line);
    process.stderr.write(`${line}\n`);
    await watched.page.screenshot({ path: await artifactPath('report-fleet.png') });
    await watched.page.close();
  });
});
