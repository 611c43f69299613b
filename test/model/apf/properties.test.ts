import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FlowClassification } from '../../../src/model/apf/classifier.js';
import type { LevelSpec } from '../../../src/model/apf/config.js';
import { LevelCounters, PriorityLevel } from '../../../src/model/apf/priority-level.js';
import { dealHand } from '../../../src/model/apf/shuffle-sharding.js';
import { createSimulation } from '../../../src/engine/index.js';
import type { Identity, Verb } from '../../../src/model/api-types.js';
import {
  admin,
  harness,
  kubelet,
  level,
  type Outcome,
  request,
  runUntil,
  serviceAccount,
  submit,
} from './fixtures.js';

const stranger: Identity = { user: 'stranger', groups: [], clientClass: 'user' };
const who: Identity[] = [
  kubelet(1),
  kubelet(2),
  serviceAccount('telemetry', 'collector'),
  serviceAccount('apps', 'web'),
  serviceAccount('kube-system', 'coredns'),
  admin,
  stranger,
];

const arrival = fc.record({
  at: fc.double({ min: 0, max: 20, noNaN: true }),
  who: fc.integer({ min: 0, max: who.length - 1 }),
  verb: fc.constantFrom<Verb>('get', 'list', 'watch', 'update', 'patch'),
  resource: fc.constantFrom('pods', 'leases', 'nodes/status', 'configmaps'),
  count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 12 })),
  numStored: fc.integer({ min: 0, max: 3000 }),
  servedFromCache: fc.boolean(),
  watchers: fc.integer({ min: 0, max: 120 }),
  serviceTime: fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY)),
  waitLimit: fc.double({ min: 0, max: 6, noNaN: true }),
});

describe('APF invariants under arbitrary load', () => {
  it('never dispatches a level past its current limit, and answers every request exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 80 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(arrival, { minLength: 1, maxLength: 150 }),
        fc.option(fc.double({ min: 0, max: 25, noNaN: true }), { nil: undefined }),
        (readOnly, mutating, arrivals, resetAt) => {
          const h = harness({ maxRequestsInflight: readOnly, maxMutatingRequestsInflight: mutating });
          const outcomes: Outcome[] = [];
          const violations: string[] = [];
          for (const a of arrivals) {
            h.sim.scheduleAt(
              a.at,
              () => {
                const identity = who[a.who]!;
                const req = request(identity, a.verb, a.resource, {
                  count: a.count,
                  ...(a.resource === 'nodes/status' ? {} : { namespace: 'ns' }),
                });
                const c = h.filter.classify(req);
                const o = submit(h, req, a);
                outcomes.push(o);
                if (o.dispatched && o.decidedAt === h.sim.now) {
                  const l = level(h, c.priorityLevel);
                  const alone = l.executingRequests === a.count;
                  if (l.kind !== 'exempt' && l.seatsInUse > l.currentCL && !alone)
                    violations.push(`${l.name}: ${l.seatsInUse} seats > limit ${l.currentCL}`);
                }
              },
              undefined,
            );
          }
          if (resetAt !== undefined) h.sim.scheduleAt(resetAt, () => h.filter.reset(), undefined);
          runUntil(h, 60);
          assert.deepEqual(violations, []);
          for (const o of outcomes) assert.equal(o.callbacks, 1, 'exactly one callback');
          assert.equal(h.filter.queuedRequests, 0);
          for (const l of h.filter.levels()) {
            assert.ok(l.seatsInUse >= 0 && l.waitingRequests === 0, `${l.name} clean`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('dispatches exactly as the general path does when the inlined uncontended path is on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 60 }),
        fc.array(arrival, { minLength: 1, maxLength: 120 }),
        (readOnly, arrivals) => {
          const trace = (isFastPathEnabled: boolean): string[] => {
            PriorityLevel.isFastPathEnabled = isFastPathEnabled;
            try {
              const h = harness({ maxRequestsInflight: readOnly, maxMutatingRequestsInflight: 0 });
              const outcomes: Outcome[] = [];
              for (const a of arrivals) {
                h.sim.scheduleAt(
                  a.at,
                  () => {
                    const req = request(who[a.who]!, a.verb, a.resource, { count: a.count, namespace: 'ns' });
                    outcomes.push(submit(h, req, a));
                  },
                  undefined,
                );
              }
              runUntil(h, 60);
              return outcomes.map((o) => `${o.decidedAt}:${o.dispatched}:${o.reason}:${o.retryAfter}`);
            } finally {
              PriorityLevel.isFastPathEnabled = true;
            }
          };
          assert.deepEqual(trace(true), trace(false));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('offers a flow the queues dealHand deals it, in turn, whether its hand is packed or kept as queues', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.boolean(),
        (queues, size, hash, isHandPackingEnabled) => {
          const handSize = Math.min(size, queues);
          const spec: LevelSpec = {
            name: 'fq',
            kind: 'queue',
            shares: 10,
            nominalCL: 10,
            lendableCL: 0,
            minCL: 10,
            maxCL: 10,
            initialCL: 10,
            queues,
            handSize,
            queueLengthLimit: 50,
            maxSeats: 1,
          };
          PriorityLevel.isHandPackingEnabled = isHandPackingEnabled;
          try {
            const sim = createSimulation({ seed: 1 });
            const fq = new PriorityLevel(sim, spec, new LevelCounters(), () => {});
            const flow: FlowClassification = {
              generation: 0,
              level: null,
              handRevision: -1,
              hand0: 0,
              hand1: 0,
              hand: null,
              flowSchema: 'fs',
              priorityLevel: 'fq',
              flowKey: 'fs/u',
              isExempt: false,
              isPerMember: false,
              hash,
            };
            // Nothing waits, so each enqueue takes the next card of the hand in turn (queueset.go).
            const choose = (fq as unknown as { chooseQueue(f: FlowClassification): { index: number } })
              .chooseQueue;
            const offered = Array.from({ length: 2 * handSize }, () => choose.call(fq, flow).index);
            const dealt = Array.from(dealHand(hash, queues, handSize));
            assert.deepEqual(offered, [...dealt, ...dealt]);
          } finally {
            PriorityLevel.isHandPackingEnabled = true;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
