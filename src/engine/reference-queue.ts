import { EMPTY, type Handler, type KernelQueue, SEQUENCE_SPAN } from './event-queue.js';

interface Entry {
  readonly id: number;
  readonly time: number;
  readonly priority: number;
  readonly sequence: number;
  readonly handler: Handler<unknown>;
  readonly arg: unknown;
}

/**
 * The slow, obviously correct twin of EventQueue: a sorted array, kept only so differential tests can
 * check the fast queue pops the same (time, priority, sequence) order, alone or under a whole
 * simulation (createSimulation's `queue` option). Same interface; O(n) per operation; no lane.
 */
export class ReferenceQueue implements KernelQueue {
  private entries: Entry[] = [];
  private sequence = 0;
  time = 0;
  /** priority * SEQUENCE_SPAN + sequence, as EventQueue's. */
  key = 0;
  priority = 0;
  /** The popped event's sequence number. */
  popped = 0;
  handler: Handler<unknown> = () => {};
  arg: unknown = undefined;

  get length(): number {
    return this.entries.length;
  }

  /** Ids are sequence numbers: unique for the queue's life. */
  push<T>(time: number, priority: number, handler: Handler<T>, arg: T): number {
    const entry: Entry = {
      id: this.sequence,
      time,
      priority,
      sequence: this.sequence,
      handler: handler as Handler<unknown>,
      arg,
    };
    this.sequence++;
    let i = 0;
    while (i < this.entries.length && !isBefore(entry, this.entries[i]!)) i++;
    this.entries.splice(i, 0, entry);
    return entry.id;
  }

  /** Its "slot" is its id. */
  pushSlot<T>(time: number, priority: number, handler: Handler<T>, arg: T): number {
    return this.push(time, priority, handler, arg);
  }

  pushNow<T>(priority: number, handler: Handler<T>, arg: T): void {
    this.push(this.time, priority, handler, arg);
  }

  cancel(id: number): boolean {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  cancelSlot(slot: number): void {
    this.cancel(slot);
  }

  pop(): boolean {
    const entry = this.entries.shift();
    if (entry === undefined) return false;
    this.time = entry.time;
    this.priority = entry.priority;
    this.popped = entry.sequence;
    this.key = entry.priority * SEQUENCE_SPAN + entry.sequence;
    this.handler = entry.handler;
    this.arg = entry.arg;
    return true;
  }

  take(): unknown {
    return this.pop() ? this.arg : EMPTY;
  }

  peekTime(): number {
    return this.entries[0]?.time ?? Number.POSITIVE_INFINITY;
  }
}

function isBefore(a: Entry, b: Entry): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.sequence < b.sequence;
}
