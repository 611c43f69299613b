import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/scenario/builtins.js';
import { parseCorefile } from '../../src/scenario/corefile.js';
import { loadScenario } from '../../src/scenario/load.js';

const KUBEADM_132 = `.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       ttl 30
    }
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
}`;

test("reads kubeadm's Corefile: record ttl 30 and cache 30 for both answers and denials", () => {
  const { settings, issues } = parseCorefile(
    '.:53 {\n kubernetes cluster.local {\n  ttl 30\n }\n cache 30\n}\n',
    'Corefile',
  );
  assert.deepEqual(issues, []);
  assert.deepEqual(settings, { cacheEnabled: true, recordTtl: 30, successTtl: 30, denialTtl: 30 });
});

test('a cache that disables success for the cluster zone does not cache cluster names (kubeadm 1.32+)', () => {
  assert.equal(parseCorefile(KUBEADM_132, 'Corefile').settings?.cacheEnabled, false);
});

test('serve_stale, servfail, success and prefetch options are read with their units', () => {
  const { settings } = parseCorefile(
    '.:53 {\n cache {\n  success 5000 60\n  denial 100 10\n  prefetch 10 1m 10%\n  serve_stale 1h verify\n  servfail 2s\n }\n}\n',
    'Corefile',
  );
  assert.deepEqual(settings, {
    cacheEnabled: true,
    capacity: 5000,
    successTtl: 60,
    denialTtl: 10,
    prefetch: 10,
    serveStale: { duration: 3600, mode: 'verify' },
    servfailTtl: 2,
  });
});

test('a bad value or an unclosed block is reported at its line and column, with a fix', () => {
  const bad = parseCorefile('.:53 {\n  cache abc\n}\n', 'Corefile');
  assert.equal(bad.settings, null);
  assert.equal(bad.issues[0]?.line, 2);
  assert.equal(bad.issues[0]?.column, 9);
  assert.match(bad.issues[0]?.hint ?? '', /seconds/);
  const open = parseCorefile('.:53 {\n  cache 30 {\n    serve_stale 1h sometimes\n', 'Corefile');
  assert.ok(open.issues.some((i) => /never closed/.test(i.message)));
  const mode = parseCorefile('.:53 {\n cache {\n  serve_stale 1h sometimes\n }\n}\n', 'Corefile');
  assert.match(mode.issues[0]?.message ?? '', /sometimes/);
});

test('a scenario takes its CoreDNS settings from a Corefile, and its own YAML fields win', () => {
  const loaded = loadScenario(path.join(packageRoot(), 'test', 'fixtures', 'corefile', 'scenario.yaml'));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.issues.map((i) => i.message).join('; '));
  const dns = loaded.scenario.clusters[0]!.dataPlane.coreDns;
  assert.equal(dns.recordTtl, 30);
  assert.equal(dns.cache.successTtl, 30);
  assert.equal(dns.cache.denialTtl, 5, 'the YAML field overrides the Corefile');
  assert.deepEqual(dns.cache.serveStale, { duration: 1800, mode: 'verify' });
  assert.equal(dns.cache.servfailTtl, 10);
});

test('a missing Corefile is an error at the corefile field', () => {
  const text = `apiVersion: stormglass.dev/v1alpha1\nkind: Scenario\nmetadata: { name: x, description: x }\nduration: 1m\nclusters:\n  - name: c\n    nodes: 5\n    dns:\n      coreDns:\n        corefile: ./nope\n`;
  const dir = path.join(packageRoot(), 'test', 'fixtures', 'corefile');
  const loaded = loadScenario(path.join(dir, 'scenario.yaml'), {
    host: {
      readFile: (f: string) => (f.endsWith('nope') ? { kind: 'missing' } : { kind: 'ok', text }),
      exists: () => true,
    } as never,
  });
  assert.equal(loaded.ok, false);
  if (!loaded.ok) {
    const issue = loaded.issues.find((i) => /Corefile/.test(i.message))!;
    assert.equal(issue.path, 'clusters[0].dns.coreDns.corefile');
    assert.equal(issue.line, 10);
  }
});
