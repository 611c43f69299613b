import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KernelQueue } from '../../src/engine/event-queue.js';
import {
  createResource,
  createSimulation,
  Interrupt,
  type Process,
  type ProcessGenerator,
  type Resource,
  type SimEvent,
  type TraceRecord,
} from '../../src/engine/index.js';
import { ReferenceQueue } from '../../src/engine/reference-queue.js';

/**
 * A seeded mixed workload: callbacks at every priority (many at zero delay), cancels, processes that
 * sleep, wait on timeouts, gates, other processes, conditions and two resources, renege, get
 * interrupted, fail and catch. Returns every executed event (time, priority, sequence, label) and what
 * each process observed, in order.
 */
function mixedWorkload(seed: number, queue?: KernelQueue): string[] {
  const sim = createSimulation(queue === undefined ? { seed } : { seed, queue });
  const log: string[] = [];
  sim.onTrace((r: TraceRecord) => log.push(`${r.time}|${r.priority}|${r.sequence}|${r.label}`));
  const r = sim.random('workload');
  const desk = createResource(sim, { capacity: 2, name: 'desk' });
  const booth = createResource(sim, { capacity: 1, discipline: 'priority', name: 'booth' });
  const gates: SimEvent<unknown>[] = [];
  const live: Process<unknown>[] = [];
  const ids: number[] = [];
  let spawned = 0;
  const note = (what: string): void => {
    log.push(`${sim.now} ${what}`);
  };
  const pickDelay = (): number => {
    const k = r.int(6);
    if (k < 2) return 0;
    if (k === 2) return r.int(3);
    return r.exponential(1);
  };

  function* useResource(name: string, resource: Resource): ProcessGenerator<string> {
    const request = resource.request(r.int(3));
    const patience = sim.timeout(r.exponential(0.5), 'timeout');
    const first = (yield sim.anyOf([request, patience])) as Map<SimEvent<unknown>, unknown>;
    if (!first.has(request)) {
      resource.release(request);
      note(`${name} reneged on ${resource.name}`);
      return 'reneged';
    }
    note(`${name} holds ${resource.name}`);
    try {
      yield r.exponential(2);
    } finally {
      resource.release(request);
    }
    return 'served';
  }

  function* worker(name: string, depth: number): ProcessGenerator<string> {
    note(`${name} starts`);
    let steps = 0;
    try {
      for (; steps < 6; steps++) {
        const k = r.int(10);
        if (k === 0) yield pickDelay();
        else if (k === 1) note(`${name} timeout ${String(yield sim.timeout(pickDelay(), steps))}`);
        else if (k === 2) {
          const gate = sim.event();
          gates.push(gate);
          try {
            note(`${name} gate ${String(yield gate)}`);
          } catch (error) {
            note(`${name} gate failed ${String((error as Error).message)}`);
          }
        } else if (k === 3 && depth < 3) {
          const child = spawn(depth + 1);
          try {
            note(`${name} child ${String(yield child)}`);
          } catch (error) {
            note(`${name} child failed ${String(error)}`);
          }
        } else if (k === 4) note(`${name} ${String(yield* useResource(name, desk))}`);
        else if (k === 5) note(`${name} ${String(yield* useResource(name, booth))}`);
        else if (k === 6) {
          const all = (yield sim.allOf([
            sim.timeout(pickDelay(), 'a'),
            sim.timeout(pickDelay(), 'b'),
          ])) as Map<SimEvent<unknown>, unknown>;
          note(`${name} all ${[...all.values()].join(',')}`);
        } else if (k === 7 && gates.length > 0) {
          const gate = gates[r.int(gates.length)]!;
          if (!gate.isTriggered) {
            if (r.int(4) === 0) gate.fail(new Error(`${name} broke it`)).defuse();
            else gate.succeed(`${name}`);
          }
          yield 0;
        } else if (k === 8 && r.int(10) === 0) {
          throw new Error(`${name} crashed`);
        } else if (k === 9 && gates.length > 0) {
          // Often already processed: the process resumes at once with its outcome.
          const gate = gates[r.int(gates.length)]!;
          try {
            note(`${name} old gate ${String(yield gate)}`);
          } catch (error) {
            note(`${name} old gate failed ${String((error as Error).message)}`);
          }
        } else yield r.exponential(1);
      }
    } catch (error) {
      if (!(error instanceof Interrupt)) throw error;
      note(`${name} interrupted (${String(error.cause)}) after ${steps}`);
      yield pickDelay();
    }
    return `${name}:${steps}`;
  }

  function spawn(depth: number): Process<string> {
    const name = `p${spawned++}`;
    const p = sim.process(worker(name, depth), name);
    live.push(p);
    return p;
  }

  function tick(n: number): void {
    const k = r.int(8);
    if (k === 0 && spawned < 150) spawn(0);
    else if (k === 1 && ids.length > 0) sim.cancel(ids[r.int(ids.length)]!);
    else if (k === 2) {
      const alive = live.filter((p) => p.isAlive);
      if (alive.length > 0) alive[r.int(alive.length)]!.interrupt(`tick ${n}`);
    } else if (k === 3 && gates.length > 0) {
      const gate = gates[r.int(gates.length)]!;
      if (!gate.isTriggered) gate.succeed(`tick ${n}`);
    }
    if (n < 1500) {
      ids.push(sim.schedule(pickDelay(), tick, n + 1, r.int(4)));
      if (r.int(3) === 0) ids.push(sim.schedule(pickDelay(), function side() {}, undefined, r.int(128)));
    }
  }

  for (let i = 0; i < 3; i++) spawn(0);
  sim.schedule(0, tick, 0);
  // A failure nobody handled stops the run (a crashed process); note it and carry on.
  for (let guard = 0; guard < 100; guard++) {
    try {
      sim.run({ until: 1e6 });
      break;
    } catch (error) {
      note(`run stopped: ${String(error)}`);
    }
  }
  note(`end pending=${sim.pending} processed=${sim.eventsProcessed}`);
  return log;
}

/** M/M/3 with a process per customer, as in bench/kernel.ts, traced. */
function mmcWorkload(seed: number, customers: number, queue?: KernelQueue): string[] {
  const sim = createSimulation(queue === undefined ? { seed } : { seed, queue });
  const log: string[] = [];
  sim.onTrace((r: TraceRecord) => log.push(`${r.time}|${r.priority}|${r.sequence}|${r.label}`));
  const servers = createResource(sim, { capacity: 3 });
  const arrivals = sim.random('arrivals');
  const services = sim.random('services');
  function* customer(id: number, service: number): ProcessGenerator<void> {
    const request = servers.request();
    yield request;
    log.push(`${sim.now} c${id} served`);
    yield service;
    servers.release(request);
  }
  sim.process(function* source(): ProcessGenerator<void> {
    for (let i = 0; i < customers; i++) {
      yield arrivals.exponential(2.7);
      sim.process(customer(i, services.exponential(1)), 'customer');
    }
  });
  sim.run();
  return log;
}

function hashOf(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Hashes of mixedWorkload(seed) as produced by the kernel before the zero-delay lane and the process
 * fast paths (commit 7c497d4): the kernel's event order, sequence numbers, labels and what processes
 * observe must never change, because the models' golden results depend on them.
 */
const PINNED: Record<number, string> = {
  1: '3e422e2930fe442e',
  2: '999a3e9bad907be1',
  3: 'e2ca501e98337f8b',
  4: '67fc53e54b9ba939',
  5: 'fe5480ca5694ee07',
  6: '7a2a0232a27c5f43',
  7: 'b6b3a85a18dcd757',
  8: 'fb6238d39cdc5c54',
};
const PINNED_MMC: Record<number, string> = { 1: '36f445a4548cb374', 2: '668f436b06eb8134' };

test('the kernel runs a mixed workload of processes and callbacks in exactly the pinned order', () => {
  const actual: Record<number, string> = {};
  for (const seed of Object.keys(PINNED).map(Number)) actual[seed] = hashOf(mixedWorkload(seed));
  assert.deepEqual(actual, PINNED);
});

test('an M/M/3 model with a process per customer runs its events in exactly the pinned order', () => {
  const actual: Record<number, string> = {};
  for (const seed of Object.keys(PINNED_MMC).map(Number)) actual[seed] = hashOf(mmcWorkload(seed, 5000));
  assert.deepEqual(actual, PINNED_MMC);
});

test('on the fast queue (lane, ladder) a simulation runs exactly as on the sorted-array reference queue', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      assert.deepEqual(mixedWorkload(seed), mixedWorkload(seed, new ReferenceQueue()));
      assert.deepEqual(mmcWorkload(seed, 300), mmcWorkload(seed, 300, new ReferenceQueue()));
    }),
    { numRuns: 12 },
  );
});

test('a mixed workload pops events in (time, priority, sequence) order among those pending', () => {
  // Within one instant, an event popped after another but with a lower sequence was already scheduled
  // (so pending) when the other ran: it must rank after it, i.e. have a higher priority number.
  for (let seed = 1; seed <= 5; seed++) {
    const pops = mixedWorkload(seed)
      .filter((line) => line.includes('|'))
      .map((line) => line.split('|').map(Number) as [number, number, number]);
    assert.ok(pops.length > 1000, `seed ${seed}: a real workload (${pops.length} events)`);
    let start = 0;
    for (let i = 1; i <= pops.length; i++) {
      if (i < pops.length)
        assert.ok(pops[i]![0] >= pops[i - 1]![0], `seed ${seed} event ${i}: time went back`);
      if (i < pops.length && pops[i]![0] === pops[start]![0]) continue;
      for (let a = start; a < i; a++)
        for (let b = a + 1; b < i; b++) {
          const [, pa, sa] = pops[a]!;
          const [, pb, sb] = pops[b]!;
          if (sb < sa) assert.ok(pb > pa, `seed ${seed}: (${pb}, ${sb}) was due before (${pa}, ${sa})`);
        }
      start = i;
    }
  }
});
