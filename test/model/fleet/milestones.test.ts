import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoggedEvent } from '../../../src/model/component.js';
import {
  type ClusterTimeline,
  computeMilestones,
  RECOVERY_HOLD,
} from '../../../src/model/fleet/milestones.js';

const R = 10;
const steps = 2000;
const series = (f: (t: number) => number) => Float64Array.from({ length: steps }, (_, k) => f(k * R));
const event = (t: number, cluster: string, kind: string): LoggedEvent => ({
  t,
  cluster,
  kind,
  severity: 'info',
  message: '',
});

function timeline(name: string, nodes: number, badFrom: number, badTo: number): ClusterTimeline {
  return {
    name,
    nodes,
    availability: series((t) => (t >= badFrom && t < badTo ? 0.5 : 1)),
    apiUnhealthy: series((t) => (t >= badFrom - 60 && t < badTo ? 1 : 0)),
  };
}

test('milestones are read off the run: first and peak impact, first and last recovery', () => {
  const big = timeline('big', 5000, 1000, 5000);
  const other = timeline('other', 3000, 1200, 9000);
  const small = timeline('small', 100, 0, 0);
  const fleet = series((t) => (t >= 1000 && t < 9000 ? (t < 5000 ? 0.6 : 0.9) : 1));
  const { milestones, outcomes } = computeMilestones({
    resolution: R,
    fleetAvailability: fleet,
    clusters: [big, other, small],
    events: [
      event(900, 'small', 'rollout-cluster-deployed'),
      event(920, 'big', 'rollout-cluster-deployed'),
      event(960, 'big', 'alert-firing'),
    ],
    largeClusterNodes: 2000,
    changeStartedAt: 800,
  });
  assert.equal(
    milestones.changeReachedLargeCluster,
    920,
    'the first deploy to a large cluster, not the small one',
  );
  assert.equal(milestones.alertFired, 960);
  assert.equal(milestones.firstCustomerImpact, 1000);
  assert.equal(milestones.peakCustomerImpact, 1000);
  assert.equal(milestones.firstClusterRecovered, 5000);
  assert.equal(milestones.fullRecovery, 9000);
  assert.equal(outcomes.find((o) => o.name === 'small')!.troubleStartedAt, null);
});

test('a cluster that relapses within the hold time has not recovered yet', () => {
  const flapping: ClusterTimeline = {
    name: 'flap',
    nodes: 5000,
    availability: series((t) =>
      (t >= 1000 && t < 2000) || (t >= 2000 + RECOVERY_HOLD / 2 && t < 4000) ? 0.2 : 1,
    ),
    apiUnhealthy: series(() => 0),
  };
  const { milestones } = computeMilestones({
    resolution: R,
    fleetAvailability: flapping.availability,
    clusters: [flapping],
    events: [],
    largeClusterNodes: 2000,
    changeStartedAt: 0,
  });
  assert.equal(milestones.firstClusterRecovered, 4000);
});

test('full recovery is null while any troubled cluster never recovers', () => {
  const stuck = timeline('stuck', 5000, 1000, steps * R);
  const { milestones } = computeMilestones({
    resolution: R,
    fleetAvailability: stuck.availability,
    clusters: [stuck, timeline('fine', 5000, 1000, 3000)],
    events: [],
    largeClusterNodes: 2000,
    changeStartedAt: 0,
  });
  assert.equal(milestones.fullRecovery, null);
  assert.equal(milestones.firstClusterRecovered, 3000);
});
