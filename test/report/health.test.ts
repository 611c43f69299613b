import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ClusterResult, SeriesDescriptor } from '../../src/model/result.js';
import {
  BREACH,
  computeClusterHealth,
  HEALTH_SIGNALS,
  NO_DATA_REASON,
  ramp,
} from '../../src/report/health.js';
import { createSmallRun } from './fixtures.js';

function cluster(series: SeriesDescriptor[], nodes = 100): ClusterResult {
  return { name: 'c', region: 'r', nodes, summary: {}, series };
}

function s(name: string, labels: Record<string, string>, values: (number | null)[]): SeriesDescriptor {
  return { name, labels, unit: '', help: '', values };
}

const reasonId = (code: number): string | undefined => HEALTH_SIGNALS[code]?.id;

describe('cluster health for the heatmap', () => {
  it('is healthy while every signal is within its objective', () => {
    const h = computeClusterHealth(
      cluster([
        s('service_availability', { service: 'a' }, [1, 0.9995, 1]),
        s('apiserver_request_duration_seconds', { verb_class: 'list', quantile: '0.99' }, [2, 5, 10]),
        s('kube_node_status_ready', {}, [100, 100, 99.5]),
      ]),
      3,
      10,
    );
    assert.deepEqual(Array.from(h.badness), [0, 0, 0]);
    assert.equal(h.firstBreachStep, null);
  });

  it('breaches when list p99 passes its 30 s SLO, and names the signal', () => {
    const h = computeClusterHealth(
      cluster([
        s('apiserver_request_duration_seconds', { verb_class: 'list', quantile: '0.99' }, [1, 31, 240]),
      ]),
      3,
      10,
    );
    assert.equal(h.badness[0], 0);
    assert.ok(h.badness[1]! >= BREACH && h.badness[1]! < 0.5);
    assert.equal(h.badness[2], 1);
    assert.equal(reasonId(h.reason[1]!), 'api-latency');
    assert.equal(h.firstBreachStep, 1);
    assert.equal(h.breachSteps, 2);
  });

  it('takes the worst signal: DNS SERVFAILs over a slightly slow API', () => {
    const h = computeClusterHealth(
      cluster([
        s('apiserver_request_duration_seconds', { verb_class: 'mutating', quantile: '0.99' }, [0.8]),
        s('coredns_servfail_fraction', {}, [0.3]),
      ]),
      1,
      10,
    );
    assert.equal(h.badness[0], 1);
    assert.equal(reasonId(h.reason[0]!), 'dns');
  });

  it('counts replicas down and APF rejections from a cumulative counter', () => {
    const h = computeClusterHealth(
      cluster([
        s('apiserver_replica_up', { replica: '0' }, [1, 1, 0]),
        s('apiserver_replica_up', { replica: '1' }, [1, 1, 1]),
        s(
          'apiserver_flowcontrol_rejected_requests_total',
          { priority_level: 'p', reason: 'queue-full' },
          [0, 1000, 1000],
        ),
      ]),
      3,
      10,
    );
    assert.equal(reasonId(h.reason[1]!), 'rejections');
    assert.ok(h.badness[1]! > BREACH);
    assert.equal(reasonId(h.reason[2]!), 'replicas');
  });

  it('marks steps without any signal as no data', () => {
    const h = computeClusterHealth(cluster([s('unknown_metric', {}, [1, 2])]), 2, 10);
    assert.ok(Number.isNaN(h.badness[0]!));
    assert.equal(h.reason[0], NO_DATA_REASON);
    assert.equal(h.worst, 0);
  });

  it('ramps monotonically from 0 to 1 through BREACH at the objective', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          assert.ok(ramp(lo, 0.5, 1, 8) <= ramp(hi, 0.5, 1, 8));
          assert.ok(ramp(hi, 0.5, 1, 8) >= 0 && ramp(hi, 0.5, 1, 8) <= 1);
        },
      ),
    );
    assert.equal(ramp(1, 0.5, 1, 8), BREACH);
  });

  it('sees the fixture’s large cluster saturate and its staging cluster stay healthy', () => {
    const run = createSmallRun();
    const steps = run.simulatedSeconds / run.resolutionSeconds + 1;
    const [large, , staging] = run.clusters.map((c) => computeClusterHealth(c, steps, run.resolutionSeconds));
    assert.equal(large!.worst, 1);
    assert.ok(staging!.worst < BREACH);
  });
});
