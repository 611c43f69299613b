import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userIdentity } from '../../../src/model/client/identities.js';
import { makeRequest, type RequestSpec, servePath } from '../../../src/model/controlplane/serving.js';
import { versionRules } from '../../../src/model/controlplane/version.js';

const identity = userIdentity('u', [], 'test');
const v130 = versionRules('1.30');
const v131 = versionRules('1.31');
const list = (spec: Partial<RequestSpec>) =>
  makeRequest({ verb: 'list', resource: 'pods', apiGroup: '', scope: 'cluster', identity, ...spec });

test('a consistent LIST (RV="") goes to etcd on 1.30 and to the watch cache on 1.31', () => {
  const r = list({ rv: 'consistent', hasFieldSelector: true });
  assert.equal(servePath(r, v130, true), 'etcd');
  assert.equal(servePath(r, v131, true), 'cache-consistent');
});

test('RV="0" LISTs are served from the watch cache, limit or not', () => {
  assert.equal(servePath(list({ rv: 'any', limit: 500 }), v130, true), 'cache');
  assert.equal(servePath(list({ rv: 'any' }), v131, true), 'cache');
});

test('continue tokens, exact RVs and RV=X with a limit always go to etcd', () => {
  for (const rules of [v130, v131]) {
    assert.equal(servePath(list({ rv: 'continue', limit: 500 }), rules, true), 'etcd');
    assert.equal(servePath(list({ rv: 'exact' }), rules, true), 'etcd');
    assert.equal(servePath(list({ rv: 'any', notOlderThan: 10, limit: 500 }), rules, true), 'etcd');
    assert.equal(servePath(list({ rv: 'any', notOlderThan: 10 }), rules, true), 'cache-not-older-than');
  }
});

test('with an unready cache, 1.31 answers 429 to watches and selective LISTs but delegates limited unselective LISTs', () => {
  const watch = makeRequest({ verb: 'watch', resource: 'pods', apiGroup: '', scope: 'cluster', identity });
  assert.equal(servePath(watch, v131, false), 'reject-initializing');
  assert.equal(
    servePath(list({ rv: 'any', hasFieldSelector: true, limit: 500 }), v131, false),
    'reject-initializing',
  );
  assert.equal(servePath(list({ rv: 'any' }), v131, false), 'reject-initializing');
  assert.equal(servePath(list({ rv: 'any', limit: 500 }), v131, false), 'etcd');
  assert.equal(servePath(list({ rv: 'consistent', limit: 500 }), v131, false), 'etcd');
});

test('with an unready cache, 1.30 sends RV="0" LISTs to etcd while RV=X LISTs and watches hang', () => {
  const watch = makeRequest({ verb: 'watch', resource: 'pods', apiGroup: '', scope: 'cluster', identity });
  assert.equal(servePath(watch, v130, false), 'hang');
  assert.equal(servePath(list({ rv: 'any', hasFieldSelector: true, limit: 500 }), v130, false), 'etcd');
  assert.equal(servePath(list({ rv: 'any', notOlderThan: 5 }), v130, false), 'hang');
});

test('GETs with RV="0" come from the cache when it is ready; every other GET is a quorum read', () => {
  const get = (rv: 'any' | 'consistent') =>
    makeRequest({ verb: 'get', resource: 'nodes', apiGroup: '', scope: 'resource', identity, rv });
  assert.equal(servePath(get('any'), v130, true), 'cache');
  assert.equal(servePath(get('any'), v131, false), 'etcd');
  assert.equal(servePath(get('consistent'), v131, true), 'etcd');
});

test('explicit feature gates override the version defaults; grace period follows the version', () => {
  const off = versionRules('1.31', { ConsistentListFromCache: false });
  assert.equal(servePath(list({ rv: 'consistent' }), off, true), 'etcd');
  const on = versionRules('1.30', { ConsistentListFromCache: true, ResilientWatchCacheInitialization: true });
  assert.equal(servePath(list({ rv: 'consistent' }), on, true), 'cache-consistent');
  assert.equal(versionRules('1.31').nodeMonitorGracePeriod, 40);
  assert.equal(versionRules('1.32').nodeMonitorGracePeriod, 50);
  assert.throws(() => versionRules('latest'), /1\.31/);
});
