import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createResource, createSimulation, erlangC, type ProcessGenerator } from '../../src/engine/index.js';

/** Erlang C from its textbook sum, as an independent check of the recursion in queueing.ts. */
function erlangCBySum(c: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const last = (term * c) / (c - a);
  return last / (sum + last);
}

test('erlangC reduces to M/M/1 for one server and matches textbook values', () => {
  const mm1 = erlangC(1, 0.5, 1);
  assert.ok(Math.abs(mm1.probabilityOfWaiting - 0.5) < 1e-12);
  assert.ok(Math.abs(mm1.meanWait - 1) < 1e-12, 'Wq = rho / (mu - lambda)');
  const two = erlangC(2, 1, 1);
  assert.ok(Math.abs(two.probabilityOfWaiting - 1 / 3) < 1e-12);
  assert.ok(Math.abs(two.meanWait - 1 / 3) < 1e-12);
  for (const [c, lambda, mu] of [
    [4, 3.6, 1],
    [10, 8, 1],
    [50, 45, 1],
    [3, 5, 2],
  ] as const) {
    const result = erlangC(c, lambda, mu);
    assert.ok(Math.abs(result.probabilityOfWaiting - erlangCBySum(c, lambda / mu)) < 1e-10, `c=${c}`);
    assert.ok(Math.abs(result.meanQueueLength - lambda * result.meanWait) < 1e-12, "Little's law");
  }
});

test('erlangC stays finite for hundreds of servers and refuses an unstable queue', () => {
  const big = erlangC(500, 480, 1);
  assert.ok(big.probabilityOfWaiting > 0 && big.probabilityOfWaiting < 1);
  assert.throws(() => erlangC(2, 2, 1), /unstable/);
  assert.throws(() => erlangC(0, 1, 1), /servers/);
  assert.throws(() => erlangC(2, -1, 1), /rates/);
});

test('an M/M/3 model built from processes and a Resource matches Erlang C within 4%', () => {
  const servers = 3;
  const lambda = 2.4;
  const mu = 1;
  const customers = 200_000;
  const sim = createSimulation({ seed: 1 });
  const desk = createResource(sim, { capacity: servers });
  const arrivals = sim.random('arrivals');
  const services = sim.random('services');
  let waited = 0;
  let delayed = 0;
  function* customer(service: number): ProcessGenerator<void> {
    const arrived = sim.now;
    const request = desk.request();
    yield request;
    waited += sim.now - arrived;
    if (sim.now > arrived) delayed++;
    yield service;
    desk.release(request);
  }
  sim.process(function* source(): ProcessGenerator<void> {
    for (let i = 0; i < customers; i++) {
      yield arrivals.exponential(lambda);
      sim.process(customer(services.exponential(mu)));
    }
  });
  sim.run();
  const expected = erlangC(servers, lambda, mu);
  const relativeError = waited / customers / expected.meanWait - 1;
  assert.ok(Math.abs(relativeError) < 0.04, `mean wait off by ${(relativeError * 100).toFixed(2)}%`);
  const waitProbabilityError = delayed / customers - expected.probabilityOfWaiting;
  assert.ok(Math.abs(waitProbabilityError) < 0.01, `P(wait) off by ${waitProbabilityError}`);
});
