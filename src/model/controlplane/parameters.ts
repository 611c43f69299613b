/**
 * Calibration constants of the API-server CPU/memory layer, the watch cache and etcd, each with its
 * unit and source (k8s-mechanics.md section in brackets). Fitted values say why in `fitted`.
 *
 * Per-object costs come from the KEP-2340 benchmark (300k x 1 KB and 300 x 1 MB ConfigMaps, §3.2):
 * cost(object) = a + b * KiB, solved from the small- and large-object rows.
 */
import type { ParameterDeclaration } from '../component.js';

const KEP2340 =
  'KEP-2340 (keps/sig-api-machinery/2340-Consistent-reads-from-cache) benchmark table, k8s-mechanics §3.2';

// --- API-server CPU (core-seconds) ---------------------------------------------------------------

/** Fixed CPU of a mutating request (authn, authz, admission, conversion, etcd txn marshal, audit). */
export const CPU_MUTATING = 0.0012;
/** Fixed CPU of a GET. */
export const CPU_GET = 0.0004;
/** Fixed CPU of a LIST, before per-object work. */
export const CPU_LIST = 0.001;
/** CPU to establish a watch (register the cacheWatcher, send initial bookmark). */
export const CPU_WATCH_INIT = 0.0005;
/** CPU per object scanned in the watch cache (selector evaluation, copy). */
export const CPU_CACHE_SCAN_PER_OBJECT = 1.8e-6;
/** CPU per object decoded from an etcd response: fixed part. */
export const CPU_ETCD_DECODE_PER_OBJECT = 16e-6;
/** CPU per KiB decoded from an etcd response. */
export const CPU_ETCD_DECODE_PER_KIB = 9.75e-6;
/** CPU to serialize a returned object: per object and per KiB (protobuf). */
export const CPU_SERIALIZE_PER_OBJECT = 1e-6;
export const CPU_SERIALIZE_PER_KIB = 2e-6;
/** CPU to push one watch event to one watcher (filter, channel, HTTP/2 frame, TLS). */
export const CPU_WATCH_EVENT_PER_WATCHER = 5e-6;
/** Go GC and housekeeping cores per GiB of baseline heap. */
export const GC_CORES_PER_GIB = 0.03;

// --- API-server memory (bytes) -------------------------------------------------------------------

/** Heap of an idle replica, bytes. */
export const HEAP_BASE_BYTES = 1 * 2 ** 30;
/** Heap per node of the cluster (connections, per-node watches and caches), bytes. */
export const HEAP_PER_NODE_BYTES = 8.8 * 2 ** 20;
/** Decoded objects in the watch cache take this many times their protobuf size. */
export const WATCH_CACHE_EXPANSION = 3;
/** Memory held by an established watch (cacheWatcher goroutines, buffered channel), bytes. */
export const MEMORY_PER_WATCH_BYTES = 16 * 2 ** 10;
/** Memory every in-flight request holds regardless of its response, bytes. */
export const MEMORY_PER_REQUEST_BYTES = 32 * 2 ** 10;
/** A LIST from the watch cache holds ~1x its serialized response until sent (KEP-5116, §3.3). */
export const MEMORY_CACHE_RESPONSE_FACTOR = 1;
/** A LIST from etcd holds ~5x the etcd payload (KEP-3157 "O(5*the_response_from_etcd)", §3.3). */
export const MEMORY_ETCD_RESPONSE_FACTOR = 5;

// --- Watch cache ---------------------------------------------------------------------------------

/** Cache freshness wait of a consistent read when not lagging: progress notify every 100 ms. */
export const PROGRESS_NOTIFY_PERIOD = 0.1;
/** watch_cache.go blockTimeout: longest wait for the cache to reach a requested RV. */
export const CACHE_BLOCK_TIMEOUT = 3;
/** watch_cache.go eventFreshDuration: history kept for watch resumption. */
export const EVENT_FRESH_DURATION = 75;
/** Lag of a healthy watch cache behind etcd, seconds. */
export const CACHE_BASE_LAG = 0.02;
/** Jobs of at most this much CPU per request run in closed form (see apiserver.ts runCpu), core-seconds. */
export const FLUID_JOB_CPU = 0.005;
/** --min-request-timeout: watches without timeoutSeconds last this x (1 + U) seconds (§1). */
export const MIN_REQUEST_TIMEOUT = 1800;
/** Lag past which the cacher starts closing watchers it cannot keep up with, seconds. */
export const WATCH_TERMINATION_LAG = 2;
/** Hazard of a watcher being closed while the cache lags past WATCH_TERMINATION_LAG, per second. */
export const WATCH_TERMINATION_RATE = 1 / 60;
/** cacher.go: bookmarks are sent about every minute, which keeps a watching client's RV this fresh. */
export const BOOKMARK_PERIOD = 60;

// --- etcd ----------------------------------------------------------------------------------------

/** etcd CPU per key read in a range: fixed part (core-seconds). */
export const ETCD_RANGE_PER_OBJECT = 8.2e-6;
/** etcd CPU per KiB read in a range (core-seconds). */
export const ETCD_RANGE_PER_KIB = 5.6e-6;
/** etcd fixed CPU per range request (core-seconds). */
export const ETCD_RANGE_FIXED = 1e-4;
/** etcd CPU per key counted (ranges with count, e.g. the current-RV read of a consistent LIST). */
export const ETCD_COUNT_PER_KEY = 1e-7;
/** etcd serial apply work per write (raft apply, bbolt put, watch notify), core-seconds. */
export const ETCD_APPLY_PER_WRITE = 3e-5;

// --- Process restarts ----------------------------------------------------------------------------

/** kubelet container restart back-off: first delay and cap (pkg/kubelet/kubelet.go). */
export const CRASH_LOOP_INITIAL = 10;
export const CRASH_LOOP_MAX = 300;
/** Back-off resets after the container ran this long (kubelet backOff GC), seconds. */
export const CRASH_LOOP_RESET = 600;

// --- Saturation definition -----------------------------------------------------------------------

/** CPU utilisation at or above which a replica counts as saturated. */
export const SATURATION_CPU = 0.95;
/** Fraction of the system components' requests failing (429, 504, reset) at or above which the control plane counts as saturated. */
export const SATURATION_REJECTED = 0.01;
/** How long the condition must hold, seconds. */
export const SATURATION_HOLD = 60;

export const CONTROL_PLANE_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'apiserver.cpu.mutatingFixed',
    value: CPU_MUTATING,
    unit: 'core-seconds/request',
    source: 'fitted',
    fitted:
      'No published per-request figure; 1.2 ms puts 5k-node baseline writes (~550/s) at ~0.7 cores, in line with a few cores per replica at the scalability limits.',
  },
  {
    name: 'apiserver.cpu.getFixed',
    value: CPU_GET,
    unit: 'core-seconds/request',
    source: 'fitted',
    fitted: 'A GET skips admission and the etcd write; taken as a third of a mutating request.',
  },
  {
    name: 'apiserver.cpu.listFixed',
    value: CPU_LIST,
    unit: 'core-seconds/request',
    source: KEP2340,
    fitted:
      'Per-request part of the KEP-2340 baseline row (25 ms p50 latency with no load, mostly wait); fitted to 1 ms of CPU.',
  },
  {
    name: 'apiserver.cpu.watchInit',
    value: CPU_WATCH_INIT,
    unit: 'core-seconds/request',
    source: 'fitted',
    fitted: 'Registering a cacheWatcher is cheap; set below a GET.',
  },
  {
    name: 'apiserver.cpu.cacheScanPerObject',
    value: CPU_CACHE_SCAN_PER_OBJECT,
    unit: 'core-seconds/object',
    source: `${KEP2340}: (0.63 - 0.10) cores / 1 LIST/s / 300k objects`,
  },
  {
    name: 'apiserver.cpu.etcdDecodePerObject',
    value: CPU_ETCD_DECODE_PER_OBJECT,
    unit: 'core-seconds/object',
    source: `${KEP2340}: 26 us per 1 KB object (small row) and 10 ms per 1 MB object (large row) solved for a + b*KiB`,
  },
  {
    name: 'apiserver.cpu.etcdDecodePerKiB',
    value: CPU_ETCD_DECODE_PER_KIB,
    unit: 'core-seconds/KiB',
    source: `${KEP2340}: slope of the same fit`,
  },
  {
    name: 'apiserver.cpu.serializePerObject',
    value: CPU_SERIALIZE_PER_OBJECT,
    unit: 'core-seconds/object',
    source: 'fitted',
    fitted:
      'KEP-2340 returns no objects (selector matches none); protobuf encoding of returned objects taken as ~0.5 GB/s plus 1 us per object.',
  },
  {
    name: 'apiserver.cpu.serializePerKiB',
    value: CPU_SERIALIZE_PER_KIB,
    unit: 'core-seconds/KiB',
    source: 'fitted',
    fitted: 'See serializePerObject.',
  },
  {
    name: 'apiserver.cpu.watchEventPerWatcher',
    value: CPU_WATCH_EVENT_PER_WATCHER,
    unit: 'core-seconds/(event*watcher)',
    source: 'fitted',
    fitted:
      'Events are serialized once (cachingObject); per watcher only filtering, channel send and an HTTP/2 frame remain. APF charges 5 ms per 10 watchers of seat time (§2.5), not CPU.',
  },
  {
    name: 'apiserver.gcCoresPerGiB',
    value: GC_CORES_PER_GIB,
    unit: 'cores/GiB',
    source: 'fitted',
    fitted:
      'Go GC marking work grows with live heap; 0.03 cores/GiB gives ~1.3 cores of background at a 45 GiB 5k-node heap.',
  },
  {
    name: 'apiserver.heap.base',
    value: HEAP_BASE_BYTES,
    unit: 'bytes',
    source: 'fitted',
    fitted: 'Idle kube-apiserver heap of about 1 GiB.',
  },
  {
    name: 'apiserver.heap.perNode',
    value: HEAP_PER_NODE_BYTES,
    unit: 'bytes/node',
    source:
      'OpenAI, "Scaling Kubernetes to 7,500 nodes" (2021): up to 70 GB heap at 7,500 nodes, roughly linear in nodes (fm-009.md §1.6)',
    fitted: '(70 GB - 1 GiB base - ~3 GB watch cache) / 7,500 nodes.',
  },
  {
    name: 'apiserver.watchCache.expansion',
    value: WATCH_CACHE_EXPANSION,
    unit: 'factor',
    source: 'fitted',
    fitted: 'Decoded Go objects plus cached serializations take a few times their protobuf size.',
  },
  {
    name: 'apiserver.memory.perWatch',
    value: MEMORY_PER_WATCH_BYTES,
    unit: 'bytes/watch',
    source: 'fitted',
    fitted: 'Two goroutines and a buffered channel of 10-1000 events (watch_cache.go chanSize, §3.4).',
  },
  {
    name: 'apiserver.memory.perRequest',
    value: MEMORY_PER_REQUEST_BYTES,
    unit: 'bytes/request',
    source: 'fitted',
    fitted: 'Goroutine stacks, request object and buffers of an in-flight request.',
  },
  {
    name: 'apiserver.memory.cacheResponseFactor',
    value: MEMORY_CACHE_RESPONSE_FACTOR,
    unit: 'x serialized response',
    source:
      'KEP-5116 (streaming response encoding): the whole response is marshalled into one block and held until sent (§3.3)',
  },
  {
    name: 'apiserver.memory.etcdResponseFactor',
    value: MEMORY_ETCD_RESPONSE_FACTOR,
    unit: 'x etcd payload',
    source: 'KEP-3157: "around O(5*the_response_from_etcd) of temporary memory consumption" (§3.3)',
  },
  {
    name: 'apiserver.fluidJobCpu',
    value: FLUID_JOB_CPU,
    unit: 'core-seconds',
    source: 'stormglass approximation (speed)',
    fitted:
      'Requests needing at most 5 ms of CPU (writes, watch set-ups, GETs) take their cost at the processor-sharing rate of the moment they start and load the cores as background work; larger ones are exact processor-sharing jobs. The timing error is a fraction of a few milliseconds.',
  },
  {
    name: 'apiserver.minRequestTimeout',
    value: MIN_REQUEST_TIMEOUT,
    unit: 'seconds',
    source:
      'apiserver@v0.31.0 pkg/server/options/server_run_options.go --min-request-timeout; watches without timeoutSeconds last 30-60 min (§1)',
  },
  {
    name: 'watchCache.progressNotifyPeriod',
    value: PROGRESS_NOTIFY_PERIOD,
    unit: 'seconds',
    source:
      'KEP-2340: progress notifications every 100 ms; "99.9% of cases watch cache became fresh enough within 110ms" (§3.1)',
  },
  {
    name: 'watchCache.blockTimeout',
    value: CACHE_BLOCK_TIMEOUT,
    unit: 'seconds',
    source:
      'apiserver@v0.31.0 pkg/storage/cacher/watch_cache.go blockTimeout; cacher.go consistent-read fallback (§3.1)',
  },
  {
    name: 'watchCache.eventFreshDuration',
    value: EVENT_FRESH_DURATION,
    unit: 'seconds',
    source: 'apiserver@v0.31.0 pkg/storage/cacher/watch_cache.go eventFreshDuration (§3.4)',
  },
  {
    name: 'watchCache.baseLag',
    value: CACHE_BASE_LAG,
    unit: 'seconds',
    source: 'fitted',
    fitted: 'Event propagation etcd -> cacher in a healthy cluster is tens of milliseconds.',
  },
  {
    name: 'watchCache.terminationLag',
    value: WATCH_TERMINATION_LAG,
    unit: 'seconds',
    source: 'fitted',
    fitted:
      'Stands for the dispatch budget (time_budget.go: 100 ms, refilled 50 ms/s, §3.4) being exhausted once dispatch falls seconds behind.',
  },
  {
    name: 'watchCache.terminationRate',
    value: WATCH_TERMINATION_RATE,
    unit: '1/second',
    source: 'fitted',
    fitted:
      'Lumps "Forcing watcher close due to unresponsiveness" into a hazard while the cache lags (k8s-mechanics Modelling notes B).',
  },
  {
    name: 'watchCache.bookmarkPeriod',
    value: BOOKMARK_PERIOD,
    unit: 'seconds',
    source: 'apiserver@v0.31.0 pkg/storage/cacher/cacher.go (bookmarks about every minute, §3.4)',
  },
  {
    name: 'etcd.rangePerObject',
    value: ETCD_RANGE_PER_OBJECT,
    unit: 'core-seconds/key',
    source: `${KEP2340}: 3.57 etcd cores / 0.86 LIST/s / 300k keys (14 us per 1 KB key) and 1.73 cores per 300 x 1 MB keys, solved for a + b*KiB`,
  },
  {
    name: 'etcd.rangePerKiB',
    value: ETCD_RANGE_PER_KIB,
    unit: 'core-seconds/KiB',
    source: `${KEP2340}: slope of the same fit`,
  },
  {
    name: 'etcd.rangeFixed',
    value: ETCD_RANGE_FIXED,
    unit: 'core-seconds/request',
    source: 'etcd op-guide/performance.md: a light request finishes in < 1 ms (§4)',
    fitted: '0.1 ms of CPU per range request.',
  },
  {
    name: 'etcd.countPerKey',
    value: ETCD_COUNT_PER_KEY,
    unit: 'core-seconds/key',
    source: 'fitted',
    fitted:
      'A range with count walks the key index (~100 ns per key); used by the current-RV read of a consistent LIST from cache.',
  },
  {
    name: 'etcd.applyPerWrite',
    value: ETCD_APPLY_PER_WRITE,
    unit: 'core-seconds/write',
    source: 'etcd op-guide/performance.md: 44-50k writes/s at most on 3 x 8 vCPU (§4)',
    fitted:
      'Serial apply path of ~20-30 us per write implied by that ceiling; writes wait for it in FIFO order at the CPU share left by range readers.',
  },
  {
    name: 'process.crashLoopInitial',
    value: CRASH_LOOP_INITIAL,
    unit: 'seconds',
    source: 'kubernetes pkg/kubelet/kubelet.go backOffPeriod (container restart back-off)',
  },
  {
    name: 'process.crashLoopMax',
    value: CRASH_LOOP_MAX,
    unit: 'seconds',
    source: 'kubernetes pkg/kubelet/kubelet.go MaxContainerBackOff',
  },
  {
    name: 'process.crashLoopReset',
    value: CRASH_LOOP_RESET,
    unit: 'seconds',
    source: 'kubernetes pkg/kubelet/kubelet.go (back-off entries expire after 2 x MaxContainerBackOff)',
  },
  {
    name: 'summary.saturation.cpu',
    value: SATURATION_CPU,
    unit: 'fraction of cores',
    source: 'stormglass definition (docs/results.md)',
  },
  {
    name: 'summary.saturation.systemFailures',
    value: SATURATION_REJECTED,
    unit: "fraction of system components' requests",
    source: 'stormglass definition (docs/results.md)',
  },
  {
    name: 'summary.saturation.hold',
    value: SATURATION_HOLD,
    unit: 'seconds',
    source: 'stormglass definition (docs/results.md)',
  },
];
