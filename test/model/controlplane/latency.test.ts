import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyStats } from '../../../src/model/controlplane/latency.js';

test('the window p99 of a known distribution is within the bucket resolution (10%)', () => {
  const s = new LatencyStats(6);
  for (let i = 1; i <= 1000; i++) s.observe(i / 1000, 1);
  const p99 = s.roll();
  assert.ok(Math.abs(p99 - 0.99) / 0.99 < 0.1, `p99 ${p99}`);
  assert.ok(Number.isNaN(s.roll()), 'an empty window has no p99');
});

test('the worst five-minute p99 catches a slow minute and forgets it five minutes later', () => {
  const s = new LatencyStats(6);
  const minute = (latency: number) => {
    for (let w = 0; w < 6; w++) {
      for (let i = 0; i < 100; i++) s.observe(latency, 1);
      s.roll();
    }
  };
  minute(0.01);
  minute(5);
  assert.ok(s.fiveMinuteP99 > 4);
  for (let m = 0; m < 5; m++) minute(0.01);
  assert.ok(s.fiveMinuteP99 < 0.02);
  assert.ok(s.worstFiveMinuteP99 > 4);
});

test('weights count like repeated observations (cohorts)', () => {
  const a = new LatencyStats(6);
  const b = new LatencyStats(6);
  a.observe(1, 99);
  a.observe(10, 1);
  for (let i = 0; i < 99; i++) b.observe(1, 1);
  b.observe(10, 1);
  assert.equal(a.roll(), b.roll());
});
