import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation } from '../../../src/engine/index.js';
import { createEtcd, rangeCost } from '../../../src/model/controlplane/etcd.js';

test('a range over 300k 1 KB keys costs about 4 etcd core-seconds (KEP-2340: 3.57 cores at 0.86 LIST/s)', () => {
  const cost = rangeCost(300_000, 1024);
  assert.ok(cost > 3.6 && cost < 4.6, `cost ${cost}`);
  // and 300 objects of 1 MB about 1.7 core-seconds
  const large = rangeCost(300, 1024 * 1024);
  assert.ok(large > 1.5 && large < 1.9, `large ${large}`);
});

test('an idle etcd applies a write after the latency floor', () => {
  const sim = createSimulation({ seed: 1 });
  const etcd = createEtcd(
    sim,
    { members: 3, cores: 8, writeLatencyFloor: 0.003 },
    { id: 'etcd', cluster: 'c', windowsPerMinute: 6 },
  );
  const at = etcd.write(1);
  assert.ok(at > 0.003 && at < 0.0031, `applied at ${at}`);
});

test('heavy ranges slow the write pipeline: a burst of writes takes longer behind them', () => {
  const burst = (ranges: number): number => {
    const sim = createSimulation({ seed: 1 });
    const etcd = createEtcd(
      sim,
      { members: 3, cores: 8, writeLatencyFloor: 0.003 },
      { id: 'etcd', cluster: 'c', windowsPerMinute: 6 },
    );
    for (let i = 0; i < ranges; i++) etcd.range(150_000, 4096, 1, 1, () => {}, 0);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = etcd.write(1);
    return last;
  };
  const idle = burst(0);
  const loaded = burst(200);
  assert.ok(loaded / idle > 5, `idle ${idle}, loaded ${loaded}`);
});

test('range requests share the members cores: 48 concurrent scans on 24 cores take twice as long', () => {
  const sim = createSimulation({ seed: 1 });
  const etcd = createEtcd(
    sim,
    { members: 3, cores: 8, writeLatencyFloor: 0.003 },
    { id: 'etcd', cluster: 'c', windowsPerMinute: 6 },
  );
  const done: number[] = [];
  for (let i = 0; i < 48; i++) etcd.range(150_000, 4096, 1, 1, () => done.push(sim.now), 0);
  sim.run();
  const single = rangeCost(150_000, 4096);
  assert.ok(Math.abs(done[47]! - 2 * single) < 1e-6 * single);
});
