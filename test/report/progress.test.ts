import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, formatProgressLine } from '../../src/report/progress.js';

function harness(isTTY: boolean, env: Record<string, string | undefined> = {}) {
  let now = 0;
  const writes: string[] = [];
  const progress = createProgress({
    stream: { write: (chunk: string) => writes.push(chunk), columns: 100 },
    isTTY,
    env,
    totalSimulatedSeconds: 6 * 3600,
    label: 'replay fm-009',
    now: () => now,
  });
  return { progress, writes, advance: (ms: number) => (now += ms) };
}

describe('the progress display', () => {
  it('shows simulated time, events per second and an ETA on a TTY once a run passes a second', () => {
    const { progress, writes, advance } = harness(true);
    advance(500);
    progress.update(600, 1_000_000);
    assert.equal(writes.length, 0, 'quiet for short runs');
    advance(1500);
    progress.update(3600, 8_000_000);
    assert.equal(writes.length, 1);
    const line = writes[0]!;
    assert.match(
      line,
      /^\rreplay fm-009 \[#+\.+\] +16% 1:00:00 \/ 6:00:00 simulated · 4\.0 M events\/s · ETA 0:00:10/,
    );
    progress.update(3700, 8_100_000);
    assert.equal(writes.length, 1, 'at most one redraw per interval');
    progress.finish();
    assert.equal(writes.at(-1), '\r\u001b[K');
  });

  it('stays silent when not a TTY or under CI', () => {
    for (const { tty, env } of [
      { tty: false, env: {} },
      { tty: true, env: { CI: 'true' } },
      { tty: true, env: { CI: '1' } },
    ]) {
      const { progress, writes, advance } = harness(tty, env);
      advance(5000);
      progress.update(3600, 10);
      progress.finish();
      assert.deepEqual(writes, []);
    }
  });

  it('runs under CI=false like a terminal', () => {
    const { progress, writes, advance } = harness(true, { CI: 'false' });
    advance(2000);
    progress.update(60, 10);
    assert.equal(writes.length, 1);
  });

  it('fits the terminal width', () => {
    for (const width of [40, 80, 100, 200]) {
      assert.ok(formatProgressLine('replay fm-009', 100, 21600, 1e6, 50, width).length < width);
    }
  });
});
