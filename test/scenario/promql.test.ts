import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePromql } from '../../src/scenario/promql.js';

describe('the PromQL subset', () => {
  test('a ratio of rates compared to a threshold becomes arithmetic under a comparison', () => {
    const r = parsePromql(
      'sum(rate(apiserver_request_total{code_class="5xx"}[5m])) / sum(rate(apiserver_request_total[5m])) > 0.01',
    );
    assert.ok(r.ok);
    assert.deepEqual(r.expr, {
      kind: 'compare',
      op: '>',
      left: {
        kind: 'arith',
        op: '/',
        left: {
          kind: 'rate',
          series: { metric: 'apiserver_request_total', labels: { code_class: '5xx' } },
          window: 300,
        },
        right: { kind: 'rate', series: { metric: 'apiserver_request_total' }, window: 300 },
      },
      right: { kind: 'number', value: 0.01 },
    });
  });

  test('and / or join comparisons; gauges and *_over_time read as values', () => {
    const r = parsePromql(
      'kube_node_status_ready < 0.9 * kube_node_info and max_over_time(coredns_servfail_fraction[10m]) >= 0.05 or service_availability < 0.99',
    );
    assert.ok(r.ok);
    assert.equal(r.expr.kind, 'any');
    if (r.expr.kind !== 'any') return;
    assert.equal(r.expr.of[0]?.kind, 'all');
    assert.equal(r.expr.of[1]?.kind, 'compare');
  });

  test('ranges like 1h30m and 1d are seconds', () => {
    const r = parsePromql('increase(x[1h30m]) > 0 and avg_over_time(y[1d]) > 1');
    assert.ok(r.ok && r.expr.kind === 'all');
  });

  test('what the evaluator cannot do is rejected with a reason and a position', () => {
    const cases: [string, RegExp][] = [
      ['sum by (verb) (rate(x[5m])) > 1', /sum by/],
      ['rate(x{a=~"b.*"}[5m]) > 1', /only "=" label matchers/],
      ['rate(x[5m])', /must be a comparison/],
      ['x[5m] > 1', /range selector needs a function/],
      ['rate(x) > 1', /needs a range selector/],
      ['histogram_quantile(0.99, x) > 1', /not supported/],
      ['rate(x[5m:1m]) > 1', /subqueries/],
      ['x offset 5m > 1', /offset/],
      ['(x > 1', /expected "\)"/],
      ['', /ends too early/],
    ];
    for (const [src, why] of cases) {
      const r = parsePromql(src);
      assert.ok(!r.ok, `"${src}" should be rejected`);
      assert.match(r.message, why, src);
      assert.ok(r.offset >= 0 && r.offset <= src.length);
    }
  });

  test('arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z_()[\]{}="0-9.<>!+*/ -]{0,30}$/)), (src) => {
        parsePromql(src);
      }),
      { numRuns: 5000 },
    );
  });
});
