import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createClassifier } from '../../../src/model/apf/classifier.js';
import { digestConfiguration } from '../../../src/model/apf/index.js';
import type { Identity, Verb } from '../../../src/model/api-types.js';
import { admin, fixedLevel, flowSchemaFor, harness, kubelet, request, serviceAccount } from './fixtures.js';

describe('bootstrap FlowSchema matching (v1.31 default.go)', () => {
  const { filter } = harness();

  it('sends a kubelet lease renewal to node-high, one flow per node', () => {
    const c = filter.classify(
      request(kubelet(7), 'update', 'leases', { namespace: 'kube-node-lease', scope: 'resource' }),
    );
    assert.deepEqual(c, {
      ...c,
      flowSchema: 'system-node-high',
      priorityLevel: 'node-high',
      isExempt: false,
    });
    assert.equal(c.flowKey, 'system-node-high/system:node:node-7');
  });

  it('sends kubelet node status to node-high and its pod list to system', () => {
    assert.equal(
      filter.classify(request(kubelet(1), 'patch', 'nodes/status', { scope: 'resource' })).priorityLevel,
      'node-high',
    );
    const pods = filter.classify(request(kubelet(1), 'list', 'pods'));
    assert.equal(pods.flowSchema, 'system-nodes');
    assert.equal(pods.priorityLevel, 'system');
  });

  it('puts every pod of a DaemonSet whose SA is outside kube-system in one workload-low flow', () => {
    const a = filter.classify(request(serviceAccount('telemetry', 'collector'), 'list', 'pods'));
    const b = filter.classify(request(serviceAccount('telemetry', 'collector'), 'list', 'nodes'));
    assert.equal(a.flowSchema, 'service-accounts');
    assert.equal(a.priorityLevel, 'workload-low');
    assert.equal(a.flowKey, 'service-accounts/system:serviceaccount:telemetry:collector');
    assert.equal(b.flowKey, a.flowKey);
  });

  it('sends kube-system SAs to workload-high, one flow per request namespace', () => {
    const coredns = serviceAccount('kube-system', 'coredns');
    const list = filter.classify(
      request(coredns, 'list', 'endpointslices', { apiGroup: 'discovery.k8s.io' }),
    );
    assert.equal(list.flowSchema, 'kube-system-service-accounts');
    assert.equal(list.priorityLevel, 'workload-high');
    assert.equal(list.flowKey, 'kube-system-service-accounts');
    const proxy = serviceAccount('kube-system', 'kube-proxy');
    const nsList = filter.classify(request(proxy, 'list', 'pods', { namespace: 'monitoring' }));
    assert.equal(nsList.flowKey, 'kube-system-service-accounts/monitoring');
    // In 1.31 their get/create/update of configmaps and endpoints anywhere still hits the
    // workload-leader-election schema (precedence 200), removed in later releases.
    const cm = filter.classify(
      request(proxy, 'get', 'configmaps', { namespace: 'monitoring', scope: 'resource' }),
    );
    assert.equal(cm.priorityLevel, 'leader-election');
  });

  it('sends kube-system SA lease updates to leader-election', () => {
    const c = filter.classify(
      request(serviceAccount('kube-system', 'kube-scheduler'), 'update', 'leases', {
        namespace: 'kube-system',
        scope: 'resource',
      }),
    );
    assert.equal(c.flowSchema, 'system-leader-election');
    assert.equal(c.priorityLevel, 'leader-election');
  });

  it('exempts system:masters and the probes', () => {
    const c = filter.classify(request(admin, 'list', 'pods'));
    assert.equal(c.flowSchema, 'exempt');
    assert.equal(c.isExempt, true);
    const probe = filter.classify(request(serviceAccount('monitoring', 'prober'), 'get', '/readyz'));
    assert.equal(probe.flowSchema, 'probes');
    assert.equal(probe.isExempt, true);
  });

  it('sends other authenticated users to global-default', () => {
    const user: Identity = { user: 'alice', groups: ['system:authenticated'], clientClass: 'user' };
    const c = filter.classify(request(user, 'get', 'pods', { namespace: 'default', scope: 'resource' }));
    assert.equal(c.flowSchema, 'global-default');
    assert.equal(c.flowKey, 'global-default/alice');
  });

  it('answers from the cache exactly what full matching answers', () => {
    const config = digestConfiguration(
      600,
      [flowSchemaFor('cap', 'cap', 100, ['system:serviceaccount:telemetry:collector'])],
      [fixedLevel('cap', 1, { queues: 8, handSize: 2, queueLengthLimit: 50 })],
    );
    const classifier = createClassifier(config, 0);
    const identities: Identity[] = [
      kubelet(1),
      kubelet(2),
      serviceAccount('telemetry', 'collector'),
      serviceAccount('kube-system', 'coredns'),
      serviceAccount('default', 'app'),
      admin,
      { user: 'system:kube-controller-manager', groups: ['system:authenticated'], clientClass: 'kcm' },
      { user: 'anonymous', groups: ['system:unauthenticated'], clientClass: 'user' },
    ];
    const verbs: Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    const resources: [string, string][] = [
      ['', 'pods'],
      ['coordination.k8s.io', 'leases'],
      ['', 'leases'],
      ['', 'nodes'],
      ['', 'nodes/status'],
      ['', 'endpoints'],
      ['', 'configmaps'],
      ['', '/healthz'],
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            identity: fc.constantFrom(...identities),
            verb: fc.constantFrom(...verbs),
            resource: fc.constantFrom(...resources),
            namespace: fc.constantFrom(undefined, 'kube-system', 'kube-node-lease', 'default'),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (requests) => {
          for (const r of requests) {
            const req = request(r.identity, r.verb, r.resource[1], {
              apiGroup: r.resource[0],
              ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
            });
            const cached = classifier.classify(req);
            const direct = classifier.classifyUncached(req);
            assert.equal(cached, direct);
          }
        },
      ),
    );
  });
});
