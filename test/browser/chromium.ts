/**
 * Debian's Chromium driven by playwright-core, for the report's browser tests. Playwright gives every
 * launch a fresh temporary profile (its own --user-data-dir). `.ci/run` and `npm test` install the
 * `chromium` package when it is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../report/helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors, page errors and CSP violations. */
  readonly errors: string[];
  /** Every request other than the report file itself. */
  readonly requests: string[];
  /** Dialogs (alert, confirm, prompt) the page tried to open. */
  readonly dialogs: string[];
}

/** A 1400x900 page that records errors, requests and dialogs, and blocks any request but the report. */
export async function openWatched(browser: Browser, reportPath: string): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const reportUrl = `file://${reportPath}`;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (request.url() !== reportUrl) requests.push(request.url());
  });
  await page.route('**/*', (route) => {
    if (route.request().url() === reportUrl) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  return { page, errors, requests, dialogs };
}

/** Opens the report and waits until its script says the first cluster's charts are drawn. */
export async function loadReport(
  watched: WatchedPage,
  reportPath: string,
): Promise<{ wallMs: number; readyMs: number }> {
  const started = performance.now();
  await watched.page.goto(`file://${reportPath}`);
  await watched.page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const wallMs = performance.now() - started;
  const readyMs = Number(await watched.page.getAttribute('body', 'data-ready-ms'));
  return { wallMs, readyMs };
}

export async function artifactPath(name: string): Promise<string> {
  const dir = join(repoRoot(), 'test-artifacts');
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}

/** The part of a canvas element these tests read (the tests compile without the DOM library). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** Pixels a canvas has drawn: non-transparent and different from its top-left (background) pixel. */
export async function drawnPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as unknown as CanvasLike[]).map((canvas) => {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! === 0) continue;
        if (
          data[i] !== data[0] ||
          data[i + 1] !== data[1] ||
          data[i + 2] !== data[2] ||
          data[i + 3] !== data[3]
        )
          drawn++;
      }
      return drawn;
    }),
  );
}
