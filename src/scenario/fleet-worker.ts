/**
 * The worker thread of simulateParallel (simulate-parallel.ts): simulates one partition of the
 * fleet, meeting the other partitions at every barrier through shared memory, then posts its
 * result. Loaded by path; it exports nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSimulation } from '../engine/index.js';
import { createFleetPartition, runBetweenBarriers } from '../model/fleet/index.js';
import { type FleetMessage, messageOrder } from '../model/fleet/partition.js';
import {
  CONTROL_ABORT,
  CONTROL_ARRIVED,
  CONTROL_GENERATION,
  MESSAGE_BYTES,
  type PartitionJob,
  type PartitionMessage,
  sharedControl,
  sharedLayout,
} from './simulate-parallel.js';
import { fleetConfig, reportProgress } from './simulate.js';

const port = parentPort;
if (port === null) throw new Error('fleet-worker runs in a worker thread started by simulateParallel');
const post = (m: PartitionMessage): void => port.postMessage(m);
const job = workerData as PartitionJob;

class Aborted extends Error {}

try {
  const { scenario, seed, until, index, count, owner } = job;
  const sim = createSimulation({ seed });
  const partition = createFleetPartition(sim, fleetConfig(scenario, until), { index, count, owner });
  reportProgress(
    sim,
    until,
    (p) => post({ kind: 'progress', index, simulated: p.simulated, events: p.events }),
    () => partition.eventsProcessed,
  );
  const shared = sharedLayout(job.shared, partition.rowsLength, count);
  const control = shared.control;
  const local = new Float64Array(partition.rowsLength);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  /** Everyone arrives, the last one opens the next generation (a sense-reversing barrier). */
  const barrier = (): void => {
    const generation = Atomics.load(control, CONTROL_GENERATION);
    if (Atomics.add(control, CONTROL_ARRIVED, 1) === count - 1) {
      Atomics.store(control, CONTROL_ARRIVED, 0);
      Atomics.add(control, CONTROL_GENERATION, 1);
      Atomics.notify(control, CONTROL_GENERATION);
    } else {
      while (Atomics.load(control, CONTROL_GENERATION) === generation) {
        if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new Aborted();
        Atomics.wait(control, CONTROL_GENERATION, generation, 1000);
      }
    }
    if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new Aborted();
  };

  let round = 0;
  const exchange = (): void => {
    const buffer = round++ % 2;
    const snapshot = shared.snapshots[buffer as 0 | 1];
    const outgoing = partition.capture(snapshot);
    const area = shared.messages[buffer]![index]!;
    const bytes = outgoing.length === 0 ? new Uint8Array(0) : encoder.encode(JSON.stringify(outgoing));
    if (bytes.length + 4 > MESSAGE_BYTES)
      throw new Error(
        `fleet partition ${index}: ${bytes.length} bytes of messages at one exchange (limit ${MESSAGE_BYTES - 4})`,
      );
    new DataView(area.buffer, area.byteOffset, 4).setUint32(0, bytes.length);
    area.set(bytes, 4);
    barrier();
    local.set(snapshot.subarray(0, partition.rowsInUse));
    const messages: FleetMessage[] = [];
    for (let p = 0; p < count; p++) {
      const from = shared.messages[buffer]![p]!;
      const length = new DataView(from.buffer, from.byteOffset, 4).getUint32(0);
      if (length > 0)
        messages.push(...(JSON.parse(decoder.decode(from.slice(4, 4 + length))) as FleetMessage[]));
    }
    messages.sort(messageOrder);
    partition.apply(local, messages);
  };

  runBetweenBarriers([partition], exchange);
  const result = partition.finish();
  const transfer: ArrayBuffer[] = [];
  for (const c of result.clusters) {
    transfer.push(c.availability.buffer as ArrayBuffer, c.unhealthy.buffer as ArrayBuffer);
    for (const s of c.series) transfer.push(s.values.buffer as ArrayBuffer);
  }
  port.postMessage({ kind: 'done', index, result } satisfies PartitionMessage, transfer);
} catch (e) {
  if (!(e instanceof Aborted)) {
    // Stop the others waiting at the barrier, then say why.
    const control = sharedControl(job.shared);
    Atomics.store(control, CONTROL_ABORT, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    const error = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'failed', index: job.index, message: error.message, stack: error.stack ?? '' });
  }
}
