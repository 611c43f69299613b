import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSimulation, hours } from '../../../src/engine/index.js';
import {
  ALERT_METRICS,
  alertLabel,
  createAlertEngine,
  defaultAlertRules,
  referencedSeries,
} from '../../../src/model/alerting/index.js';
import { createFakeMetrics, type FakeSeries, piecewiseCounter } from './fake-metrics.js';

interface FakeCluster {
  /** Fraction of reads/writes answered 5xx from `from` on. */
  readonly errors?: { readonly from: number; readonly fraction: number };
  readonly terminationsPerSecond?: { readonly from: number; readonly rate: number };
  readonly rejectionsPerSecond?: { readonly from: number; readonly rate: number };
  readonly notReadyNodes?: { readonly from: number; readonly count: number };
  readonly servfail?: { readonly from: number; readonly fraction: number };
  readonly availability?: { readonly from: number; readonly value: number };
}

/** A 1,000-node cluster serving 400 reads/s and 100 writes/s, with faults switched on at given times. */
function fakeCluster(spec: FakeCluster): FakeSeries[] {
  const counter = (rate: number, change?: { from: number; rate: number }) =>
    piecewiseCounter(0, change === undefined ? [{ from: 0, rate }] : [{ from: 0, rate }, change]);
  const classes = [
    { verb: 'read', rate: 400 },
    { verb: 'write', rate: 100 },
  ];
  const series: FakeSeries[] = [];
  for (const c of classes) {
    const bad = spec.errors === undefined ? undefined : c.rate * spec.errors.fraction;
    series.push({
      name: 'apiserver_request_total',
      labels: { verb_class: c.verb, code_class: '2xx' },
      value: counter(c.rate, bad === undefined ? undefined : { from: spec.errors!.from, rate: c.rate - bad }),
    });
    series.push({
      name: 'apiserver_request_total',
      labels: { verb_class: c.verb, code_class: '5xx' },
      value: counter(0, bad === undefined ? undefined : { from: spec.errors!.from, rate: bad }),
    });
    series.push({ name: 'apiserver_request_sli_slow_total', labels: { verb_class: c.verb }, value: () => 0 });
  }
  series.push({
    name: 'apiserver_request_total',
    labels: { verb_class: 'other', code_class: '2xx' },
    value: counter(50),
  });
  series.push({
    name: 'apiserver_request_terminations_total',
    value: counter(0, spec.terminationsPerSecond),
  });
  series.push({
    name: 'apiserver_flowcontrol_rejected_requests_total',
    value: counter(0, spec.rejectionsPerSecond),
  });
  series.push({ name: 'kube_node_info', value: () => 1000 });
  const nr = spec.notReadyNodes;
  series.push({
    name: 'kube_node_status_ready',
    value: (t) => (nr !== undefined && t >= nr.from ? 1000 - nr.count : 1000),
  });
  const sf = spec.servfail;
  series.push({
    name: 'coredns_servfail_fraction',
    value: (t) => (sf !== undefined && t >= sf.from ? sf.fraction : 0),
  });
  const av = spec.availability;
  series.push({
    name: 'service_availability',
    value: (t) => (av !== undefined && t >= av.from ? av.value : 0.9995),
  });
  return series;
}

function run(spec: FakeCluster, until = hours(6)) {
  const sim = createSimulation({ seed: 1 });
  const engine = createAlertEngine(sim, { rules: defaultAlertRules, until });
  engine.addCluster('c', createFakeMetrics(sim, fakeCluster(spec)));
  sim.run();
  const firstFiring = (name: string, severity?: 'warning' | 'critical') =>
    engine
      .transitions()
      .find(
        (tr) =>
          tr.to === 'firing' &&
          tr.rule.name === name &&
          (severity === undefined || tr.rule.severity === severity),
      )?.t ?? null;
  return { engine, firstFiring };
}

describe('default alert rules', () => {
  it('read only the metric names documented for the cluster adapter', () => {
    const documented = new Set(Object.keys(ALERT_METRICS));
    for (const sel of referencedSeries(defaultAlertRules)) assert.ok(documented.has(sel.metric), sel.metric);
    assert.deepEqual(
      [...new Set(referencedSeries(defaultAlertRules).map((s) => s.metric))].sort(),
      [...documented].sort(),
    );
  });

  it('each cite their source', () => {
    for (const rule of defaultAlertRules) assert.ok((rule.source ?? '').length > 20, alertLabel(rule));
  });

  it('keep the four kubernetes-mixin burn-rate windows with their factors and holds', () => {
    const burns = defaultAlertRules.filter((r) => r.name === 'KubeAPIErrorBudgetBurn');
    assert.deepEqual(
      burns.map((r) =>
        r.expr.kind === 'burn-rate' ? [r.severity, r.for, ...r.expr.windows, r.expr.factor] : [],
      ),
      [
        ['critical', 120, 3600, 300, 14.4],
        ['critical', 900, 21600, 1800, 6],
        ['warning', 3600, 86400, 7200, 3],
        ['warning', 10800, 259200, 21600, 1],
      ],
    );
  });

  it('stay quiet for six hours on a healthy cluster, with every series found', () => {
    const { engine } = run({});
    assert.equal(engine.firstFiring(), null);
    assert.equal(engine.transitions().length, 0);
    assert.deepEqual(engine.missingSeries('c'), []);
  });

  it('detect an API server answering 30% 5xx with the fast burn-rate alert, at the hand-computed time', () => {
    const { engine, firstFiring } = run({ errors: { from: 3600, fraction: 0.3 } });
    // After an hour of clean traffic the 1h window is full: read and write burn ratios are each
    // 0.3 x / 3600 after x seconds of errors, summed 0.6 x / 3600 > 0.144 <=> x > 864 s: pending at
    // the evaluation at 4470 (the 5m window is long past 0.144), firing 2m later.
    assert.equal(firstFiring('KubeAPIErrorBudgetBurn', 'critical'), 4470 + 120);
    // The 6h window reaches before the run (run-only history): both counters start at 0, so each
    // ratio is 0.3 (t-3600)/t; summed > 6 x 0.01 <=> t > 4000 -> pending at 4020, firing 15m later.
    const sixHour = engine.transitions().find((tr) => tr.to === 'firing' && tr.rule.labels?.long === '6h');
    assert.equal(sixHour?.t, 4020 + 900);
  });

  it('detect terminations, APF rejections, NotReady nodes, DNS SERVFAIL and lost availability after their holds', () => {
    const { firstFiring } = run({
      terminationsPerSecond: { from: 600, rate: 500 },
      rejectionsPerSecond: { from: 600, rate: 50 },
      notReadyNodes: { from: 600, count: 3 },
      servfail: { from: 600, fraction: 0.05 },
      availability: { from: 600, value: 0.95 },
    });
    // Terminations start from 0 so their 10m rate is 500 (t-600)/600 (zero-point clamp); requests
    // are 550/s: r / (550 + r) > 0.2 <=> r > 137.5 <=> t > 765 -> pending at 780, firing at 1080.
    assert.equal(firstFiring('KubeAPITerminatedRequests'), 1080);
    // rate over 5m = 50 (t-600)/300 > 5 <=> t > 630 -> pending at 660, firing at 960.
    assert.equal(firstFiring('KubernetesAPFRejectRequests'), 960);
    assert.equal(firstFiring('KubeNodeNotReady'), 600 + 900);
    // The 5m average holds 10 samples; k samples of 0.05 average 0.005 k: > 0.03 needs k = 7 (t=780),
    // > 0.01 needs k = 3 (t=660); each then holds for 10m.
    assert.equal(firstFiring('CoreDNSErrorsHigh', 'critical'), 1380);
    assert.equal(firstFiring('CoreDNSErrorsHigh', 'warning'), 1260);
    assert.equal(firstFiring('ServiceAvailabilityLow'), 600 + 120);
  });

  it('report a misspelt metric as missing instead of failing silently', () => {
    const sim = createSimulation({ seed: 1 });
    const engine = createAlertEngine(sim, { rules: defaultAlertRules, until: 120 });
    const series = fakeCluster({}).filter((s) => s.name !== 'coredns_servfail_fraction');
    engine.addCluster(
      'c',
      createFakeMetrics(sim, [...series, { name: 'coredns_servfail_ratio', value: () => 0 }]),
    );
    sim.run();
    assert.deepEqual(engine.missingSeries('c'), [{ metric: 'coredns_servfail_fraction' }]);
  });
});
