import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSimulation, seconds } from '../../../src/engine/index.js';
import { createEventLog } from '../../../src/model/component.js';
import {
  type AlertRule,
  type AlertTransition,
  createAlertEngine,
  DEFAULT_EVALUATION_INTERVAL,
  type HistoryMode,
} from '../../../src/model/alerting/index.js';
import { createFakeMetrics, piecewiseCounter } from './fake-metrics.js';

const step = (at: number, low: number, high: number) => (t: number) => (t >= at ? high : low);

function gaugeRule(forSeconds: number): AlertRule {
  return {
    name: 'GaugeHigh',
    severity: 'critical',
    for: forSeconds,
    expr: { kind: 'threshold', metric: 'g', op: '>', value: 1 },
  };
}

function runGauge(value: (t: number) => number, rule: AlertRule, until: number, evaluationInterval?: number) {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const fired: AlertTransition[] = [];
  const engine = createAlertEngine(sim, {
    rules: [rule],
    log,
    onFiring: (tr) => fired.push(tr),
    ...(evaluationInterval === undefined ? {} : { evaluationInterval }),
  });
  engine.addCluster('c1', createFakeMetrics(sim, [{ name: 'g', value }]));
  sim.run({ until: seconds(until) });
  return { engine, log, fired };
}

describe('alert engine: Prometheus pending/firing semantics', () => {
  it('uses a 30 s evaluation interval by default (prometheus-operator evaluationInterval)', () => {
    assert.equal(DEFAULT_EVALUATION_INTERVAL, 30);
  });

  it('an alert stays pending until its condition has held for `for`, then fires', () => {
    // Condition true from t=100; evaluations at 0, 30, ...: active at 120, for 300 s -> fires at 420.
    const { engine, log, fired } = runGauge(step(100, 0, 5), gaugeRule(300), 1000);
    const kinds = log.events.map((e) => `${e.t}:${e.kind}`);
    assert.deepEqual(kinds, ['120:alert-pending', '420:alert-firing']);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.activeAt, 120);
    assert.equal(fired[0]!.value, 5);
    assert.equal(engine.firstFiring()?.t, 420);
  });

  it('an alert does not fire before `for` has elapsed', () => {
    const { engine } = runGauge(step(100, 0, 5), gaugeRule(300), 419);
    assert.equal(engine.firstFiring(), null);
    assert.equal(engine.statuses()[0]!.state, 'pending');
  });

  it('a firing alert resolves at the first evaluation where its condition is false', () => {
    const { engine, log } = runGauge((t) => (t >= 100 && t < 500 ? 5 : 0), gaugeRule(60), 1000);
    assert.deepEqual(
      log.events.map((e) => `${e.t}:${e.kind}`),
      ['120:alert-pending', '180:alert-firing', '510:alert-resolved'],
    );
    assert.equal(engine.statuses()[0]!.state, 'inactive');
  });

  it('a pending alert whose condition clears is dropped without firing and restarts its clock', () => {
    // True 100..200, false, then true again from 300: the second episode starts its own `for`.
    const { engine } = runGauge((t) => ((t >= 100 && t < 200) || t >= 300 ? 5 : 0), gaugeRule(120), 1000);
    const tos = engine.transitions().map((tr) => `${tr.t}:${tr.to}`);
    assert.deepEqual(tos, ['120:pending', '210:cancelled', '300:pending', '420:firing']);
  });

  it('a rule with for: 0 fires at the first evaluation where it holds, with no pending event', () => {
    const { log } = runGauge(step(100, 0, 5), gaugeRule(0), 300);
    assert.deepEqual(
      log.events.map((e) => `${e.t}:${e.kind}:${e.severity}`),
      ['120:alert-firing:critical'],
    );
  });

  it('detection is quantised to evaluations: a coarser interval detects later', () => {
    const at30 = runGauge(step(61, 0, 5), gaugeRule(0), 600, 30).engine.timeToDetect(61);
    const at60 = runGauge(step(61, 0, 5), gaugeRule(0), 600, 60).engine.timeToDetect(61);
    assert.equal(at30, 29); // evaluation at 90
    assert.equal(at60, 59); // evaluation at 120
  });

  it('`for` counts from the evaluation that first saw the condition, so firing waits whole intervals', () => {
    // for 100 s at a 60 s interval: active at 120, 180 is 60 s later (not enough), 240 is 120 s later.
    const { engine } = runGauge(step(61, 0, 5), gaugeRule(100), 600, 60);
    assert.equal(engine.firstFiring()?.t, 240);
  });

  it('a series with no data never satisfies a condition', () => {
    const sim = createSimulation({ seed: 1 });
    const engine = createAlertEngine(sim, {
      rules: [
        {
          name: 'Low',
          severity: 'warning',
          for: 0,
          expr: { kind: 'threshold', metric: 'absent', op: '<', value: 1 },
        },
      ],
      until: 600,
    });
    engine.addCluster('c1', createFakeMetrics(sim, []));
    sim.run();
    assert.equal(engine.firstFiring(), null);
    assert.deepEqual(engine.missingSeries('c1'), [{ metric: 'absent' }]);
  });

  it('stops evaluating after `until`, so a run without a horizon ends', () => {
    const sim = createSimulation({ seed: 1 });
    const engine = createAlertEngine(sim, { rules: [gaugeRule(0)], until: 300 });
    const source = createFakeMetrics(sim, [{ name: 'g', value: () => 0 }]);
    engine.addCluster('c1', source);
    const end = sim.run();
    assert.equal(end, 300);
    assert.equal(source.reads, 11); // evaluations at 0, 30, ..., 300
  });

  it('keeps one alert per (rule, cluster), in the order clusters were added', () => {
    const sim = createSimulation({ seed: 1 });
    const log = createEventLog();
    const engine = createAlertEngine(sim, { rules: [gaugeRule(0)], log, until: 300 });
    engine.addCluster('big', createFakeMetrics(sim, [{ name: 'g', value: step(50, 0, 5) }]));
    engine.addCluster('small', createFakeMetrics(sim, [{ name: 'g', value: () => 0 }]));
    engine.addCluster('late', createFakeMetrics(sim, [{ name: 'g', value: step(100, 0, 5) }]));
    sim.run();
    assert.deepEqual(
      log.events.map((e) => `${e.t}:${e.cluster}`),
      ['60:big', '120:late'],
    );
    assert.equal(engine.isFiring('small'), false);
    assert.equal(engine.isFiring('big', { minSeverity: 'critical' }), true);
    assert.equal(engine.firstFiring({ cluster: 'late' })?.t, 120);
    assert.throws(() => engine.addCluster('big', createFakeMetrics(sim, [])), /added twice/);
  });

  it('rejects a rate window too short to hold two samples, with the fix', () => {
    const sim = createSimulation({ seed: 1 });
    assert.throws(
      () =>
        createAlertEngine(sim, {
          rules: [
            {
              name: 'R',
              severity: 'info',
              for: 0,
              expr: { kind: 'rate', counter: { metric: 'c' }, window: 30, op: '>', value: 1 },
            },
          ],
        }),
      /at least 60 s/,
    );
  });
});

describe('alert engine: rate, ratio and burn-rate math', () => {
  function runRule(
    rule: AlertRule,
    series: Parameters<typeof createFakeMetrics>[1],
    until: number,
    history?: HistoryMode,
  ) {
    const sim = createSimulation({ seed: 1 });
    const engine = createAlertEngine(sim, {
      rules: [rule],
      until,
      ...(history === undefined ? {} : { history }),
    });
    engine.addCluster('c', createFakeMetrics(sim, series));
    sim.run();
    return engine;
  }

  it('rate of a steady counter equals its slope once the window is full', () => {
    // rate(c[5m]) > 9.99 with c growing 10/s: at t=300 the window (0, 300] is full (extrapolated to its start).
    const rule: AlertRule = {
      name: 'R',
      severity: 'info',
      for: 0,
      expr: { kind: 'rate', counter: { metric: 'c' }, window: 300, op: '>', value: 9.99 },
    };
    const engine = runRule(rule, [{ name: 'c', value: (t) => 10 * t }], 600);
    const first = engine.firstFiring();
    assert.equal(first?.t, 300);
    assert.ok(Math.abs(first!.value - 10) < 1e-9);
  });

  it('a rate over a window longer than the run is diluted as a freshly started Prometheus dilutes it', () => {
    // Hand computation (promql extrapolatedRate) at t=60, window 300, counter 1000 + 10 t:
    // samples 0, 30, 60 -> increase 600 over 60 s; the start is 240 s away (> 1.1 x 30) so it is
    // extended by half a gap (15 s; the zero point is 100 s away); rate = 600 x 75/60 / 300 = 2.5.
    const rule: AlertRule = {
      name: 'R',
      severity: 'info',
      for: 0,
      expr: { kind: 'rate', counter: { metric: 'c' }, window: 300, op: '>', value: 0 },
    };
    const engine = runRule(rule, [{ name: 'c', value: (t) => 1000 + 10 * t }], 60);
    assert.equal(engine.firstFiring()?.t, 30);
    assert.ok(Math.abs(engine.statuses()[0]!.value - 2.5) < 1e-9);
  });

  it('a counter reset (apiserver restart) never reads as a negative rate and is forgotten once out of the window', () => {
    // 10/s, restarting from zero at t=300. Like Prometheus, the step across the reset counts only the
    // new value, so the rate reads low until the reset leaves the window (t=600), then exactly 10.
    const value = (t: number) => (t < 300 ? 10 * t : 10 * (t - 300));
    const rate = (op: '<', v: number): AlertRule => ({
      name: 'R',
      severity: 'info',
      for: 0,
      expr: { kind: 'rate', counter: { metric: 'c' }, window: 300, op, value: v },
    });
    const negative = runRule(rate('<', 0), [{ name: 'c', value }], 900);
    assert.equal(negative.firstFiring(), null);
    const low = runRule(rate('<', 9.99), [{ name: 'c', value }], 900);
    const lastChange = low.transitions().at(-1)!;
    assert.equal(lastChange.to, 'resolved');
    assert.equal(lastChange.t, 600);
  });

  it('a ratio of rates fires when terminations exceed 20% of requests plus terminations', () => {
    // 100 req/s answered; terminations 30/s from t=600: 30 / (100 + 30) = 0.23 once the 10m window is past the change.
    const rule: AlertRule = {
      name: 'KubeAPITerminatedRequests',
      severity: 'warning',
      for: 300,
      expr: {
        kind: 'ratio',
        numerator: { metric: 'term' },
        denominator: [{ metric: 'req' }, { metric: 'term' }],
        window: 600,
        op: '>',
        value: 0.2,
      },
    };
    const engine = runRule(
      rule,
      [
        { name: 'req', value: (t) => 100 * t },
        { name: 'term', value: piecewiseCounter(0, [{ from: 600, rate: 30 }]) },
      ],
      3000,
    );
    // Hand computation: in (t-600, t] the terminations counter's first sample is 0, so its
    // extrapolation stops at the zero point: rate = 30 (t-600) / 600; requests extrapolate to 100/s.
    // ratio = r / (100 + r) > 0.2 <=> r > 25 <=> t > 1100 -> pending at 1110, firing at 1410 (for 5m),
    // when the window is past the change and the ratio is 30 / 130.
    const pending = engine.transitions().find((tr) => tr.to === 'pending');
    assert.equal(pending?.t, 1110);
    assert.ok(Math.abs(pending!.value - 25.5 / 125.5) < 1e-9);
    const firing = engine.firstFiring();
    assert.equal(firing?.t, 1410);
    assert.ok(Math.abs(firing!.value - 30 / 130) < 1e-9);
  });

  it('burn rate matches a hand computation: 1h/5m x14.4 fires when the diluted 1h ratio passes 14.4%', () => {
    // total 100/s from t=0; 5xx 20/s from t=600. Both counters start at 0, so the long window's
    // extrapolation is clamped at the zero point for both and the ratio is exact:
    // burn1h(t) = 20 (t - 600) / (100 t) > 0.144  <=>  t > 2142.9 -> pending at 2160, firing at 2280.
    const rule: AlertRule = {
      name: 'KubeAPIErrorBudgetBurn',
      severity: 'critical',
      for: 120,
      expr: {
        kind: 'burn-rate',
        errors: { metric: 'req', labels: { code_class: '5xx' } },
        total: { metric: 'req' },
        slo: 0.99,
        windows: [3600, 300],
        factor: 14.4,
      },
    };
    const series = [
      {
        name: 'req',
        labels: { code_class: '2xx' },
        value: piecewiseCounter(0, [
          { from: 0, rate: 100 },
          { from: 600, rate: 80 },
        ]),
      },
      { name: 'req', labels: { code_class: '5xx' }, value: piecewiseCounter(0, [{ from: 600, rate: 20 }]) },
    ];
    const engine = runRule(rule, series, 4000);
    const pending = engine.transitions().find((tr) => tr.to === 'pending');
    assert.equal(pending?.t, 2160);
    assert.ok(Math.abs(pending!.value - (20 * (2160 - 600)) / (100 * 2160)) < 1e-9);
    assert.equal(engine.firstFiring()?.t, 2280);
  });

  it("burn rate with 'steady' history counts the quiet days before the run in the long window", () => {
    // Same traffic; the baseline (0..600 s: 100/s, no errors) is assumed for the hour before t=0:
    // burn1h(t) = 20 (t-600) / 360000 > 0.144  <=>  t > 3192 -> pending at 3210, firing at 3330.
    const rule: AlertRule = {
      name: 'KubeAPIErrorBudgetBurn',
      severity: 'critical',
      for: 120,
      expr: {
        kind: 'burn-rate',
        errors: { metric: 'req', labels: { code_class: '5xx' } },
        total: { metric: 'req' },
        slo: 0.99,
        windows: [3600, 300],
        factor: 14.4,
      },
    };
    const series = [
      {
        name: 'req',
        labels: { code_class: '2xx' },
        value: piecewiseCounter(0, [
          { from: 0, rate: 100 },
          { from: 600, rate: 80 },
        ]),
      },
      { name: 'req', labels: { code_class: '5xx' }, value: piecewiseCounter(0, [{ from: 600, rate: 20 }]) },
    ];
    const engine = runRule(rule, series, 5000, { kind: 'steady', baselineFrom: 0, baselineTo: 600 });
    const pending = engine.transitions().find((tr) => tr.to === 'pending');
    assert.equal(pending?.t, 3210);
    assert.ok(Math.abs(pending!.value - (20 * (3210 - 600)) / 360000) < 1e-9);
    assert.equal(engine.firstFiring()?.t, 3330);
  });

  it('burn rate needs both windows: a burst that is over stops the alert even while the long window is hot', () => {
    // 50% errors from 600 to 1200, then none: the 5m window cools at 1200 + 300 while the 1h one stays high.
    const rule: AlertRule = {
      name: 'KubeAPIErrorBudgetBurn',
      severity: 'critical',
      for: 0,
      expr: {
        kind: 'burn-rate',
        errors: { metric: 'e' },
        total: { metric: 't' },
        slo: 0.99,
        windows: [3600, 300],
        factor: 14.4,
      },
    };
    const engine = runRule(
      rule,
      [
        { name: 't', value: (t) => 100 * t },
        {
          name: 'e',
          value: piecewiseCounter(0, [
            { from: 600, rate: 50 },
            { from: 1200, rate: 0 },
          ]),
        },
      ],
      3000,
    );
    const resolved = engine.transitions().find((tr) => tr.to === 'resolved');
    assert.ok(engine.firstFiring() !== null);
    // 5m ratio at t (samples t-270..t, extrapolated by 30 s): 50 (1470 - t) / 270 / 100 ... = (1470 - t) / 540,
    // > 0.144 <=> t < 1392.2: the first evaluation where it is false is 1410.
    assert.equal(resolved?.t, 1410);
  });

  it('per-class burn ratios are summed like the mixin sums its read and write recording rules', () => {
    // reads 1000/s with 10% errors, writes 10/s with 5% errors: summed 0.15 > 0.144, pooled 0.0995 < 0.144.
    const series = [
      { name: 'req', labels: { verb_class: 'read', code_class: '2xx' }, value: (t: number) => 900 * t },
      { name: 'req', labels: { verb_class: 'read', code_class: '5xx' }, value: (t: number) => 100 * t },
      { name: 'req', labels: { verb_class: 'write', code_class: '2xx' }, value: (t: number) => 9.5 * t },
      { name: 'req', labels: { verb_class: 'write', code_class: '5xx' }, value: (t: number) => 0.5 * t },
    ];
    const burn = (classes: boolean): AlertRule => ({
      name: 'B',
      severity: 'critical',
      for: 0,
      expr: {
        kind: 'burn-rate',
        errors: { metric: 'req', labels: { code_class: '5xx' } },
        total: { metric: 'req' },
        slo: 0.99,
        windows: [3600, 300],
        factor: 14.4,
        ...(classes ? { classes: [{ verb_class: 'read' }, { verb_class: 'write' }] } : {}),
      },
    });
    const summed = runRule(burn(true), series, 600);
    const pooled = runRule(burn(false), series, 600);
    assert.ok(Math.abs(summed.firstFiring()!.value - 0.15) < 1e-9);
    assert.equal(pooled.firstFiring(), null);
  });

  it('avg-over-time smooths a gauge over its window', () => {
    // Gauge 0.1 for one sample at 300, else 0: avg over (t-300, t] is 0.1/10 = 0.01 while the spike is inside.
    const rule: AlertRule = {
      name: 'A',
      severity: 'warning',
      for: 0,
      expr: {
        kind: 'compare',
        left: { kind: 'avg-over-time', series: { metric: 'f' }, window: 300 },
        op: '>=',
        right: { kind: 'number', value: 0.0099 },
      },
    };
    const engine = runRule(rule, [{ name: 'f', value: (t) => (t === 300 ? 0.1 : 0) }], 900);
    assert.equal(engine.firstFiring()?.t, 300);
    assert.equal(engine.transitions().find((tr) => tr.to === 'resolved')?.t, 600);
  });
});
