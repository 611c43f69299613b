#!/usr/bin/env node
// Tabulates FM-009 replays run under different seeds, to show how much of the timeline is chance
// (which minute a kubectl delete lands in a crash-looping control plane) and how much is mechanism.
// Usage, after `npm run build`:
//   for s in 1 2 3; do node bin/stormglass.js replay fm-009 --seed $s --json out/seed$s.json; done
//   node scripts/seed-sweep.mjs out/seed*.json
// Prints one row per result: milestones in minutes from changeReachedLargeCluster and from first
// impact (the acceptance ranges in the header), failed rollbacks, and the longest lock-out
// (first failed kubectl delete to the accepted one, or to the end of the run) in any cluster.
import fs from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error(
    'usage: node scripts/seed-sweep.mjs RESULT.json [RESULT.json ...] (from stormglass replay --json)',
  );
  process.exit(2);
}

const minutes = (seconds) => (seconds === null || seconds === undefined ? null : seconds / 60);
const fmt = (value) => (value === null ? '—' : value.toFixed(1));

const rows = files.map((file) => {
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  const m = result.milestones;
  const change = m.changeReachedLargeCluster;
  const impact = m.firstCustomerImpact;
  const since = (t, from) => (t === null || from === null ? null : minutes(t - from));
  const firstFailure = new Map();
  const lockouts = [];
  let failures = 0;
  for (const e of result.events) {
    if (e.kind === 'rollback-attempt-failed') {
      failures++;
      if (!firstFailure.has(e.cluster)) firstFailure.set(e.cluster, e.t);
    } else if (e.kind === 'workload-delete-accepted' && firstFailure.has(e.cluster)) {
      lockouts.push({ cluster: e.cluster, minutes: minutes(e.t - firstFailure.get(e.cluster)) });
      firstFailure.delete(e.cluster);
    }
  }
  // A cluster whose delete never went through is locked out to the end of the run.
  for (const [cluster, t] of firstFailure)
    lockouts.push({ cluster: `${cluster}, never accepted`, minutes: minutes(result.simulatedSeconds - t) });
  const longest = lockouts.sort((a, b) => b.minutes - a.minutes)[0];
  const availability = result.fleet.availability.filter((v) => v !== null);
  return {
    seed: result.seed,
    alert: since(m.alertFired, change),
    impact: since(impact, change),
    peak: since(m.peakCustomerImpact, impact),
    rollbackFailed: since(m.rollbackAttemptFailed, change),
    firstRecovered: since(m.firstClusterRecovered, impact),
    fullRecovery: since(m.fullRecovery, impact),
    lowestAvailability: Math.min(...availability),
    failedRollbacks: failures,
    longestLockout: longest ? `${longest.minutes.toFixed(0)} min (${longest.cluster})` : '—',
  };
});

console.log(
  'seed | alert (≤10) | impact (2-10) | peak after impact (15-40) | rollback fails (yes) | first recovered (60-110) | full recovery (210-300) | lowest fleet availability | failed deletes | longest lock-out',
);
console.log('---|---|---|---|---|---|---|---|---|---');
for (const r of rows)
  console.log(
    [
      r.seed,
      fmt(r.alert),
      fmt(r.impact),
      fmt(r.peak),
      r.rollbackFailed === null ? 'never' : `+${fmt(r.rollbackFailed)}`,
      fmt(r.firstRecovered),
      fmt(r.fullRecovery),
      `${(100 * r.lowestAvailability).toFixed(1)}%`,
      r.failedRollbacks,
      r.longestLockout,
    ].join(' | '),
  );
