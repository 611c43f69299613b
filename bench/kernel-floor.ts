/**
 * The floor under bench/kernel.ts's M/M/c figure: the same model with no kernel at all, on a bare
 * binary heap of (time, sequence) in typed arrays, the kernel's own random streams, and the same four
 * events per customer (start, grant, service end, the source's next arrival). Two shapes:
 * - `generator`: one generator per customer, as the kernel's processes (and SimPy's) have;
 * - `callback`: a three-state object per customer instead of a generator (no process semantics at all).
 * No events, interrupts, failure handling, invariant checks, priorities or cancellation: this is what
 * V8 on this machine does for the model's bare mechanics, so a kernel cannot be much faster than it.
 * `npm run bench -- kernel --floor 1` prints both next to the kernel's own figure.
 */
import { createRandomStream } from '../src/engine/random.js';

export interface FloorOptions {
  readonly customers: number;
  readonly servers: number;
  readonly lambda: number;
  readonly mu: number;
  readonly seed: number;
}

export interface FloorResult {
  readonly customersPerSec: number;
  readonly meanWait: number;
}

interface Entity {
  /** The generator of a generator-shaped customer or of the source, else null. */
  readonly body: Generator<number, void, undefined> | null;
  /** Callback shape: 0 arriving, 1 granted, 2 served. */
  phase: number;
  readonly service: number;
  arrived: number;
}

/** Yielded by a generator customer to request a server. */
const REQUEST = -1;

class BareModel {
  private times = new Float64Array(1024);
  private sequences = new Float64Array(1024);
  private entities: (Entity | null)[] = new Array<Entity | null>(1024).fill(null);
  private size = 0;
  private sequence = 0;
  now = 0;
  busy = 0;
  waited = 0;
  private waiting: Entity[] = [];
  private waitingHead = 0;

  constructor(readonly servers: number) {}

  push(time: number, entity: Entity): void {
    if (this.size === this.times.length) this.grow();
    const sequence = this.sequence++;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < time || (pt === time && this.sequences[parent]! < sequence)) break;
      this.times[i] = pt;
      this.sequences[i] = this.sequences[parent]!;
      this.entities[i] = this.entities[parent]!;
      i = parent;
    }
    this.times[i] = time;
    this.sequences[i] = sequence;
    this.entities[i] = entity;
  }

  /** Pops the earliest entity and advances the clock to it; null when nothing is left. */
  pop(): Entity | null {
    if (this.size === 0) return null;
    const top = this.entities[0]!;
    this.now = this.times[0]!;
    const n = --this.size;
    const time = this.times[n]!;
    const sequence = this.sequences[n]!;
    const entity = this.entities[n]!;
    this.entities[n] = null;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (
        right < n &&
        (this.times[right]! < this.times[child]! ||
          (this.times[right] === this.times[child] && this.sequences[right]! < this.sequences[child]!))
      )
        child = right;
      const ct = this.times[child]!;
      if (ct > time || (ct === time && this.sequences[child]! > sequence)) break;
      this.times[i] = ct;
      this.sequences[i] = this.sequences[child]!;
      this.entities[i] = this.entities[child]!;
      i = child;
    }
    this.times[i] = time;
    this.sequences[i] = sequence;
    this.entities[i] = entity;
    return top;
  }

  /** Grants a server now (an event at this instant) or queues FIFO. */
  request(entity: Entity): void {
    if (this.busy < this.servers) {
      this.busy++;
      this.push(this.now, entity);
    } else this.waiting.push(entity);
  }

  release(): void {
    if (this.waitingHead < this.waiting.length) {
      this.push(this.now, this.waiting[this.waitingHead++]!);
      if (this.waitingHead > 4096) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
    } else this.busy--;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    const sequences = new Float64Array(n);
    times.set(this.times);
    sequences.set(this.sequences);
    this.times = times;
    this.sequences = sequences;
    this.entities.length = n;
    this.entities.fill(null, n / 2);
  }
}

export function runFloor(options: FloorOptions, shape: 'generator' | 'callback'): FloorResult {
  const model = new BareModel(options.servers);
  const arrivals = createRandomStream(options.seed, 'arrivals');
  const services = createRandomStream(options.seed, 'services');
  let served = 0;

  function* customer(service: number): Generator<number, void, undefined> {
    const arrived = model.now;
    yield REQUEST;
    model.waited += model.now - arrived;
    yield service;
    model.release();
    served++;
  }
  function* source(): Generator<number, void, undefined> {
    for (let i = 0; i < options.customers; i++) {
      yield arrivals.exponential(options.lambda);
      const service = services.exponential(options.mu);
      if (shape === 'callback') {
        model.push(model.now, { body: null, phase: 0, service, arrived: model.now });
        continue;
      }
      model.push(model.now, { body: customer(service), phase: 0, service, arrived: model.now });
    }
  }

  model.push(0, { body: source(), phase: 0, service: 0, arrived: 0 });
  const start = performance.now();
  for (let entity = model.pop(); entity !== null; entity = model.pop()) {
    const body = entity.body;
    if (body !== null) {
      const next = body.next();
      if (next.done === true) continue;
      if (next.value === REQUEST) model.request(entity);
      else model.push(model.now + next.value, entity);
      continue;
    }
    if (entity.phase === 0) {
      entity.phase = 1;
      model.request(entity);
    } else if (entity.phase === 1) {
      entity.phase = 2;
      model.waited += model.now - entity.arrived;
      model.push(model.now + entity.service, entity);
    } else {
      model.release();
      served++;
    }
  }
  const wallSeconds = (performance.now() - start) / 1000;
  if (served !== options.customers) throw new Error(`kernel floor: served ${served} of ${options.customers}`);
  return { customersPerSec: Math.round(options.customers / wallSeconds), meanWait: model.waited / served };
}
