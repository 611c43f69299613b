import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type AllocationItem, computeAllocation } from '../../../src/model/apf/borrowing.js';
import { every, harness, kubelet, level, request, runUntil, serviceAccount, submit } from './fixtures.js';

/** Generated levels: a lower bound, room above it (the upper bound) and a target at or above it. */
const toItems = (raw: readonly { lower: number; extra: number; t: number }[]): AllocationItem[] =>
  raw.map((r) => ({ lowerBound: r.lower, upperBound: r.lower + r.extra, target: r.lower + r.t }));

describe('borrowing between priority levels (apf_controller.go, flow_control_conc_alloc.go)', () => {
  it('allocates fairProp * target within bounds, summing to the budget', () => {
    const items = [
      { target: 1000, lowerBound: 245, upperBound: 845 },
      { target: 50, lowerBound: 50, upperBound: 674 },
      { target: 73, lowerBound: 73, upperBound: 698 },
    ];
    assert.deepEqual(computeAllocation(602, items), [479, 50, 73]);
    // Everyone idle: targets are the lower bounds, scaled up proportionally.
    const idle = computeAllocation(100, [
      { target: 10, lowerBound: 10, upperBound: 100 },
      { target: 30, lowerBound: 30, upperBound: 100 },
    ])!;
    assert.deepEqual(
      idle.map((x) => Math.round(x * 1000) / 1000),
      [25, 75],
    );
    assert.equal(computeAllocation(10, [{ target: 5, lowerBound: 20, upperBound: 30 }]), null);
  });

  it('always sums to the budget and respects every bound', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lower: fc.integer({ min: 0, max: 100 }),
            extra: fc.integer({ min: 0, max: 200 }),
            t: fc.double({ min: 0, max: 1000, noNaN: true }),
          }),
          { minLength: 1, maxLength: 9 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, position) => {
          const items = toItems(raw);
          const low = items.reduce((s, i) => s + i.lowerBound, 0);
          const high = items.reduce((s, i) => s + i.upperBound, 0);
          const budget = Math.round(low + position * (high - low));
          const allocation = computeAllocation(budget, items);
          if (budget < low || budget > high) return;
          assert.ok(allocation !== null);
          const sum = allocation.reduce((s, x) => s + x, 0);
          assert.ok(Math.abs(sum - budget) < 1e-6 * Math.max(1, budget), `sum ${sum} budget ${budget}`);
          allocation.forEach((x, k) => {
            assert.ok(x >= items[k]!.lowerBound - 1e-9 && x <= items[k]!.upperBound + 1e-9);
          });
        },
      ),
    );
  });

  it('gives, bit for bit, what the straightforward allocation gives (arrays, a comparator sort)', () => {
    // The reference: flow_control_conc_alloc.go as first written here, before the scratch arrays.
    const reference = (requiredSum: number, items: readonly AllocationItem[]): number[] | null => {
      let lowSum = 0;
      let highSum = 0;
      for (const item of items) {
        if (item.lowerBound < 0 || item.upperBound < item.lowerBound || item.target < item.lowerBound)
          return null;
        lowSum += item.lowerBound;
        highSum += item.upperBound;
      }
      if (lowSum - requiredSum > 1e-7 || requiredSum - highSum > 1e-7) return null;
      if (requiredSum === 0) return items.map(() => 0);
      if (lowSum - requiredSum > -1e-7) return items.map((i) => i.lowerBound);
      if (requiredSum - highSum > -1e-7) return items.map((i) => i.upperBound);
      const targets = items.map((i) => Math.max(i.target, 0.001));
      const breakpoints: number[] = [];
      items.forEach((item, k) => {
        breakpoints.push(item.lowerBound / targets[k]!, item.upperBound / targets[k]!);
      });
      breakpoints.sort((a, b) => a - b);
      const total = (p: number): number => {
        let sum = 0;
        items.forEach((item, k) => {
          sum += Math.max(item.lowerBound, Math.min(item.upperBound, p * targets[k]!));
        });
        return sum;
      };
      let low = 0;
      let lowTotal = total(0);
      let fairProp = breakpoints[breakpoints.length - 1]!;
      for (const point of breakpoints) {
        const pointTotal = total(point);
        if (pointTotal >= requiredSum) {
          fairProp =
            pointTotal === lowTotal
              ? point
              : low + ((requiredSum - lowTotal) * (point - low)) / (pointTotal - lowTotal);
          break;
        }
        low = point;
        lowTotal = pointTotal;
      }
      return items.map((item, k) =>
        Math.max(item.lowerBound, Math.min(item.upperBound, fairProp * targets[k]!)),
      );
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            lower: fc.double({ min: 0, max: 100, noNaN: true }),
            extra: fc.oneof(
              fc.double({ min: 0, max: 700, noNaN: true }),
              fc.constant(Number.POSITIVE_INFINITY),
            ),
            t: fc.double({ min: 0, max: 1000, noNaN: true }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.double({ min: -0.1, max: 1.1, noNaN: true }),
        (raw, position) => {
          const items = toItems(raw);
          const low = items.reduce((s, i) => s + i.lowerBound, 0);
          const high = Math.min(
            items.reduce((s, i) => s + i.upperBound, 0),
            low + 5000,
          );
          const budget = Math.round(low + position * (high - low));
          const got = computeAllocation(budget, items);
          const want = reference(budget, items);
          assert.equal(got === null, want === null);
          if (got && want)
            for (let k = 0; k < got.length; k++) assert.ok(Object.is(got[k], want[k]), `item ${k}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('grows a flooded workload-low toward 368 seats while every other level is idle', () => {
    const h = harness();
    // Four DaemonSets under four SAs outside kube-system: four workload-low flows, 1-seat GETs
    // held 20 s, arriving far faster than they can be served.
    const sas = [0, 1, 2, 3].map((i) => serviceAccount(`agents-${i}`, 'collector'));
    let n = 0;
    every(h.sim, 0, 60, 0.005, () => {
      const sa = sas[n++ % sas.length]!;
      submit(h, request(sa, 'get', 'pods', { namespace: 'x', scope: 'resource' }), { serviceTime: 20 });
    });
    assert.equal(level(h, 'workload-low').currentCL, 56);
    runUntil(h, 9.9);
    assert.equal(level(h, 'workload-low').currentCL, 56);
    runUntil(h, 30);
    const levels = h.filter.levels();
    const wl = levels.find((l) => l.name === 'workload-low')!;
    // 602 nominal seats minus the other levels' minCL (50+73+25+49+24+13 = 234); exempt gets ~0.
    assert.equal(wl.currentCL, 368);
    assert.equal(wl.seatsInUse, 368);
    for (const l of levels)
      if (l.name !== 'workload-low' && l.name !== 'exempt') assert.equal(l.currentCL, l.minCL, l.name);
  });

  it('gives a busy level back its nominal seats: lenders reclaim what they lent', () => {
    const h = harness();
    const sa = serviceAccount('agents', 'collector');
    every(h.sim, 0, 200, 0.005, () =>
      submit(h, request(sa, 'get', 'pods', { namespace: 'x', scope: 'resource' }), { serviceTime: 20 }),
    );
    // From 60 s, 150 kubelets keep node-high busy (1-seat status patches held 2 s, 100/s offered).
    let node = 0;
    every(h.sim, 60, 200, 0.01, () =>
      submit(h, request(kubelet(node++ % 150), 'patch', 'nodes/status', { scope: 'resource' }), {
        serviceTime: 2,
      }),
    );
    runUntil(h, 59);
    assert.equal(level(h, 'node-high').currentCL, 73);
    runUntil(h, 120);
    const nodeHigh = level(h, 'node-high');
    assert.ok(nodeHigh.currentCL >= nodeHigh.nominalCL, `node-high ${nodeHigh.currentCL}`);
    assert.ok(level(h, 'workload-low').currentCL < 368);
  });

  it('keeps no timer while idle and replays the missed adjustments exactly', () => {
    const h = harness();
    submit(h, request(serviceAccount('a', 'b'), 'get', 'pods', { namespace: 'a', scope: 'resource' }), {
      serviceTime: 1,
    });
    const end = h.sim.run();
    // The run ends: one 10 s adjustment after the request, then nothing pending.
    assert.equal(end, 10);
    assert.equal(h.sim.pending, 0);
    runUntil(h, 3600);
    assert.equal(level(h, 'workload-low').currentCL, 56);
  });
});
