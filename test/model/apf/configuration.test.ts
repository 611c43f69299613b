import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import {
  every,
  harness,
  level,
  type Outcome,
  request,
  runUntil,
  serviceAccount,
  submit,
} from './fixtures.js';

const telemetry = serviceAccount('telemetry', 'collector');

/** The preflight lesson: a FlowSchema that puts the agent's SA on its own 2-seat level. */
const capSchema: FlowSchema = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'FlowSchema',
  metadata: { name: 'telemetry-cap' },
  spec: {
    priorityLevelConfiguration: { name: 'telemetry-cap' },
    matchingPrecedence: 1000,
    distinguisherMethod: { type: 'ByUser' },
    rules: [
      {
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'telemetry', name: 'collector' } }],
        resourceRules: [
          { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true },
        ],
      },
    ],
  },
};

const capLevel: PriorityLevelConfiguration = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'PriorityLevelConfiguration',
  metadata: { name: 'telemetry-cap' },
  spec: {
    type: 'Limited',
    limited: {
      nominalConcurrencyShares: 1,
      lendablePercent: 0,
      borrowingLimitPercent: 0,
      limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } },
    },
  },
};

describe('user FlowSchemas and PriorityLevelConfigurations', () => {
  it('caps a service account at 2 seats, overriding the bootstrap service-accounts schema', () => {
    // 400 seats, 246 shares: ceil(400 * 1 / 246) = 2 seats, neither lent nor borrowed.
    const h = harness({
      maxRequestsInflight: 300,
      maxMutatingRequestsInflight: 100,
      flowSchemas: [capSchema],
      priorityLevels: [capLevel],
    });
    const c = h.filter.classify(request(telemetry, 'list', 'pods'));
    assert.equal(c.flowSchema, 'telemetry-cap');
    assert.equal(c.priorityLevel, 'telemetry-cap');
    const other = serviceAccount('apps', 'web');
    assert.equal(h.filter.classify(request(other, 'list', 'pods')).priorityLevel, 'workload-low');

    let maxSeats = 0;
    const agent: Outcome[] = [];
    const apps: Outcome[] = [];
    every(h.sim, 0, 60, 0.01, () => {
      agent.push(
        submit(h, request(telemetry, 'list', 'pods'), {
          numStored: 150_000,
          servedFromCache: false,
          serviceTime: 2,
        }),
      );
      maxSeats = Math.max(maxSeats, level(h, 'telemetry-cap').seatsInUse);
    });
    every(h.sim, 0, 60, 0.1, () =>
      apps.push(submit(h, request(other, 'get', 'pods', { namespace: 'apps', scope: 'resource' }))),
    );
    runUntil(h, 70);
    const cap = level(h, 'telemetry-cap');
    assert.deepEqual([cap.nominalCL, cap.minCL, cap.maxCL, cap.currentCL, cap.maxSeats], [2, 2, 2, 2, 1]);
    // A 150k-object LIST from etcd would be 10 seats, but this level's estimator cap is
    // max(1, min(ceil(15% of 2), 2/4)) = 1 seat: two LISTs run at once, never more.
    assert.equal(maxSeats, 2);
    assert.ok(agent.filter((o) => o.reason !== null).length > 5000);
    assert.ok(
      apps.every((o) => o.dispatched && o.decidedAt === o.submittedAt),
      'other SAs unaffected',
    );
  });

  it('applies a configuration at run time, and drains the old level before dropping it', () => {
    const h = harness();
    const held = submit(h, request(telemetry, 'get', 'pods', { namespace: 'telemetry', scope: 'resource' }), {
      serviceTime: Number.POSITIVE_INFINITY,
    });
    h.filter.applyConfiguration([capSchema], [capLevel]);
    assert.equal(h.filter.classify(request(telemetry, 'list', 'pods')).priorityLevel, 'telemetry-cap');
    assert.ok(h.filter.levels().some((l) => l.name === 'telemetry-cap'));
    assert.ok(h.events.some((e) => e.kind === 'apf-config-applied'));
    // Removing it again: the level keeps its seats while its request is still executing.
    submit(h, request(telemetry, 'get', 'pods', { namespace: 'telemetry', scope: 'resource' }), {
      serviceTime: Number.POSITIVE_INFINITY,
    });
    h.filter.applyConfiguration([], []);
    assert.equal(h.filter.classify(request(telemetry, 'list', 'pods')).priorityLevel, 'workload-low');
    assert.equal(level(h, 'telemetry-cap').seatsInUse, 1);
    const drained = h.filter.levels().find((l) => l.name === 'telemetry-cap');
    assert.ok(drained !== undefined);
    assert.equal(held.dispatched, true);
  });

  it('ignores objects that replace mandatory ones, are broken or dangle, and says so', () => {
    const h = harness({
      flowSchemas: [
        { ...capSchema, metadata: { name: 'exempt' } },
        {
          ...capSchema,
          metadata: { name: 'dangling' },
          spec: { ...capSchema.spec!, priorityLevelConfiguration: { name: 'nope' } },
        },
      ],
      priorityLevels: [{ ...capLevel, metadata: { name: 'broken' }, spec: { type: 'Limited' } }],
    });
    const ignored = h.events.filter((e) => e.kind === 'apf-config-ignored').map((e) => e.message);
    assert.equal(ignored.length, 3);
    assert.equal(h.filter.classify(request(telemetry, 'list', 'pods')).priorityLevel, 'workload-low');
  });
});
