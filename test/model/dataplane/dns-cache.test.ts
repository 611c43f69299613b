import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CacheCohort,
  type CacheCohortConfig,
  type CohortStep,
  directLookup,
  type UpstreamOutcome,
} from '../../../src/model/dataplane/index.js';

const NODELOCAL: CacheCohortConfig = {
  successTtl: 30,
  ttlSpread: 'full',
  failTtl: 5,
  serveStale: null,
  attempts: 2,
};
const HEALTHY: UpstreamOutcome = { ok: 1, servfail: 0, error: 0 };
const SERVFAIL: UpstreamOutcome = { ok: 0, servfail: 1, error: 0 };
const TIMEOUT: UpstreamOutcome = { ok: 0, servfail: 0, error: 1 };

function run(cohort: CacheCohort, steps: number, lambda: number, o: UpstreamOutcome): CohortStep[] {
  const out: CohortStep[] = [];
  for (let i = 0; i < steps; i++) {
    const r = { ok: 0, servfail: 0, error: 0, forwards: 0 };
    cohort.step(lambda, o, r);
    out.push(r);
  }
  return out;
}

test('a healthy upstream keeps every lookup answered and refreshes each entry about once per TTL', () => {
  const c = new CacheCohort(NODELOCAL, 10);
  const steps = run(c, 300, 10, HEALTHY);
  for (const s of steps) assert.ok(Math.abs(s.ok - 1) < 1e-9);
  const forwards = steps.reduce((a, s) => a + s.forwards, 0) / steps.length;
  // One miss per 30 s cycle (plus the wait for the next query after expiry).
  assert.ok(forwards > 1 / 32 && forwards < 1 / 29, `forwards per entry per second ${forwards}`);
});

test('without serve_stale, entries fail once they expire while the upstream answers SERVFAIL, each for the servfail TTL', () => {
  const c = new CacheCohort(NODELOCAL, 10);
  const steps = run(c, 40, 10, SERVFAIL);
  // The first seconds are still served from cache, then nothing is.
  assert.ok(steps[0]!.ok > 0.9);
  assert.ok(steps[39]!.ok < 1e-9);
  assert.ok(steps[39]!.servfail > 0.999);
  // SERVFAIL is cached (5 s), so entries forward about once per 5 s instead of on every lookup.
  const forwards = steps.slice(30).reduce((a, s) => a + s.forwards, 0) / 10;
  assert.ok(forwards < 0.3, `forwards per entry per second ${forwards}`);
});

test('timeouts are not cached: every lookup of an expired entry goes upstream again', () => {
  const c = new CacheCohort(NODELOCAL, 10);
  const steps = run(c, 40, 10, TIMEOUT);
  assert.ok(steps[39]!.error > 0.999);
  // Each lookup tries twice (glibc attempts), every lookup of the second: about 2 * lambda.
  assert.ok(steps[39]!.forwards > 15, `forwards ${steps[39]!.forwards}`);
});

test('serve_stale verify keeps answering while every upstream answers SERVFAIL, until its duration runs out', () => {
  const c = new CacheCohort({ ...NODELOCAL, serveStale: { duration: 600, mode: 'verify' } }, 10);
  const steps = run(c, 700, 10, SERVFAIL);
  for (const s of steps.slice(0, 590)) assert.ok(s.ok > 0.999, `ok ${s.ok}`);
  assert.ok(steps[699]!.ok < 0.01, 'stale entries are dropped after DURATION');
});

test('serve_stale immediate does not hide SERVFAIL: the refresh caches it and it shadows the stale answer', () => {
  const c = new CacheCohort({ ...NODELOCAL, serveStale: { duration: 3600, mode: 'immediate' } }, 10);
  const steps = run(c, 60, 10, SERVFAIL);
  assert.ok(steps[59]!.servfail > 0.99, `servfail ${steps[59]!.servfail}`);
});

test('serve_stale immediate keeps answering while the upstream only times out', () => {
  const c = new CacheCohort({ ...NODELOCAL, serveStale: { duration: 3600, mode: 'immediate' } }, 10);
  const steps = run(c, 600, 10, TIMEOUT);
  for (const s of steps) assert.ok(s.ok > 0.999);
});

test('a cohort recovers within one TTL once the upstream answers again', () => {
  const c = new CacheCohort(NODELOCAL, 10);
  run(c, 60, 10, SERVFAIL);
  const after = run(c, 10, 10, HEALTHY);
  assert.ok(after[9]!.ok > 0.999);
});

test('cohort state mass is conserved and outcomes stay fractions for any sequence of upstream answers', () => {
  const outcome = fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([a, b]): UpstreamOutcome => {
      const ok = a;
      const servfail = (1 - a) * b;
      return { ok, servfail, error: 1 - ok - servfail };
    });
  fc.assert(
    fc.property(
      fc.record({
        ttl: fc.integer({ min: 1, max: 40 }),
        failTtl: fc.integer({ min: 0, max: 10 }),
        spread: fc.constantFrom('full' as const, 'uniform' as const),
        stale: fc.constantFrom(null, 'immediate' as const, 'verify' as const),
        lambda: fc.double({ min: 0, max: 50, noNaN: true }),
        outcomes: fc.array(outcome, { minLength: 1, maxLength: 120 }),
      }),
      ({ ttl, failTtl, spread, stale, lambda, outcomes }) => {
        const c = new CacheCohort(
          {
            successTtl: ttl,
            ttlSpread: spread,
            failTtl,
            serveStale: stale ? { duration: 30, mode: stale } : null,
            attempts: 2,
          },
          lambda,
        );
        for (const o of outcomes) {
          const r = { ok: 0, servfail: 0, error: 0, forwards: 0 };
          c.step(lambda, o, r);
          assert.ok(Math.abs(c.mass - 1) < 1e-9, `mass ${c.mass}`);
          for (const v of [r.ok, r.servfail, r.error])
            assert.ok(v >= -1e-12 && v <= 1 + 1e-12, `fraction ${v}`);
          assert.ok(Math.abs(r.ok + r.servfail + r.error - 1) < 1e-9);
          assert.ok(r.forwards >= 0);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('without a node cache a SERVFAIL is retried on a new pick, so one bad replica in three rarely fails a lookup', () => {
  const r = { ok: 0, servfail: 0, error: 0, forwards: 0 };
  directLookup({ ok: 2 / 3, servfail: 1 / 3, error: 0 }, 2, r);
  assert.ok(Math.abs(r.servfail - 1 / 9) < 1e-12);
  assert.ok(Math.abs(r.ok - 8 / 9) < 1e-12);
});
