import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRecorder, createSimulation } from '../../src/engine/index.js';

test('the recorder samples every series after all events at each instant, at its resolution', () => {
  const sim = createSimulation({ seed: 1 });
  let level = 0;
  // A change at exactly t = 10 (normal priority) is seen by the sample at 10.
  sim.scheduleAt(10, () => (level = 5), undefined);
  sim.scheduleAt(25, () => (level = 7), undefined);
  const recorder = createRecorder(sim, 10, 40);
  recorder.add([{ key: 'level', read: () => level }]);
  sim.run({ until: 40 });
  assert.equal(recorder.samples, 5);
  assert.deepEqual([...recorder.series().get('level')!], [0, 5, 5, 7, 7]);
});

test('series added at any point read NaN before they were added and their own values after', () => {
  // Reference: per series, NaN until the sample it joined at, then the value its read() gave.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 4 })), { maxLength: 6 }),
      (steps, additions) => {
        const sim = createSimulation({ seed: 1 });
        const recorder = createRecorder(sim, 1, steps - 1);
        const expected = new Map<string, number[]>();
        let id = 0;
        const addAt = (sample: number, count: number): void => {
          const batch = Array.from({ length: count }, () => {
            const key = `s${id++}`;
            const values: number[] = Array.from({ length: steps }, (_, t) =>
              t < sample ? Number.NaN : t * 100 + id,
            );
            expected.set(key, values);
            return { key, read: () => values[Math.round(sim.now)]! };
          });
          recorder.add(batch);
        };
        for (const [sample, count] of additions) {
          // Added between samples: before the one at `sample` (priority 0 runs before the recorder's).
          if (sample === 0) addAt(0, count);
          else if (sample < steps) sim.scheduleAt(sample - 0.5, () => addAt(sample, count), undefined);
        }
        sim.run({ until: steps - 1 });
        const got = recorder.series();
        assert.equal(got.size, expected.size);
        for (const [key, values] of expected) assert.deepEqual([...got.get(key)!], values, key);
        // A subset, transposed on its own, has the same values.
        const even = (key: string): boolean => Number(key.slice(1)) % 2 === 0;
        const some = recorder.series(even);
        assert.deepEqual([...some.keys()], [...got.keys()].filter(even));
        for (const [key, values] of some) assert.deepEqual(values, got.get(key), key);
      },
    ),
  );
});
