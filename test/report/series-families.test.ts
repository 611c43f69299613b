import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  counterRate,
  displayUnit,
  downsample,
  FAMILIES,
  findFamily,
  isCounter,
  labelValues,
} from '../../src/report/series-families.js';

describe('chart families and series transforms', () => {
  it('groups the known metric names into their charts and leaves others to "other metrics"', () => {
    assert.equal(findFamily('apiserver_client_request_duration_seconds')?.family.id, 'api-latency');
    assert.equal(findFamily('apiserver_flowcontrol_rejected_requests_total')?.family.id, 'apf-rejected');
    assert.equal(findFamily('coredns_servfail_fraction')?.metric.isRightAxis, true);
    assert.equal(findFamily('some_new_metric'), undefined);
    const names = FAMILIES.flatMap((f) => f.metrics.map((m) => m.name));
    assert.equal(new Set(names).size, names.length, 'a metric belongs to one family');
  });

  it('shows a cumulative _total counter as a per-second rate that survives a reset', () => {
    const s = { name: 'apiserver_flowcontrol_rejected_requests_total', unit: 'requests' };
    assert.ok(isCounter(s));
    assert.equal(displayUnit(s), 'requests/s');
    assert.deepEqual(counterRate([0, 100, 300, null, 500, 20, 40], 10), [null, 10, 20, null, 20, 2, 2]);
  });

  it('downsamples by max, min or mean, skipping nulls', () => {
    const v = [1, 5, null, 2, null, null, 7];
    assert.deepEqual(downsample(v, 2, 'max'), [5, 2, null, 7]);
    assert.deepEqual(downsample(v, 2, 'min'), [1, 2, null, 7]);
    assert.deepEqual(downsample(v, 3, 'mean'), [3, 2, 7]);
    assert.deepEqual(downsample(v, 1, 'max'), v);
  });

  it('never loses a peak when downsampling by max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), { minLength: 1 }),
        fc.integer({ min: 1, max: 10 }),
        (values, factor) => {
          const present = values.filter((v): v is number => v !== null);
          const out = downsample(values, factor, 'max').filter((v): v is number => v !== null);
          assert.equal(
            out.length === 0 ? null : Math.max(...out),
            present.length === 0 ? null : Math.max(...present),
          );
        },
      ),
    );
  });

  it('labels a series by its label values, without the p99 quantile', () => {
    assert.equal(labelValues({ labels: { verb_class: 'list', quantile: '0.99' } }), 'list');
    assert.equal(
      labelValues({ labels: { priority_level: 'exempt', reason: 'time-out' } }),
      'exempt · time-out',
    );
    assert.equal(labelValues({ labels: { quantile: '0.5' } }), '0.5');
    assert.equal(labelValues({ labels: {} }), '');
  });
});
