/**
 * Heartbeats (lease renewals, node status posts) in etcd commit order, for the node-lifecycle
 * controller to observe through its informer: it sees an entry once its informer's state has
 * reached the entry's commit time (`syncedThrough`), so watch lag and a broken watch delay it.
 *
 * NOTE: a growable ring of typed arrays; commits arrive in time order, so one read cursor suffices.
 */
export class HeartbeatLog {
  private blocks = new Int32Array(4096);
  private times = new Float64Array(4096);
  private head = 0;
  private size = 0;

  push(block: number, time: number): void {
    if (this.size === this.blocks.length) this.grow();
    const at = (this.head + this.size) % this.blocks.length;
    this.blocks[at] = block;
    this.times[at] = time;
    this.size++;
  }

  /** Calls `seen(block, time)` for every entry committed at or before `through`, oldest first. */
  consume(through: number, seen: (block: number, time: number) => void): void {
    const cap = this.blocks.length;
    while (this.size > 0) {
      const t = this.times[this.head]!;
      if (t > through) return;
      const b = this.blocks[this.head]!;
      this.head = (this.head + 1) % cap;
      this.size--;
      seen(b, t);
    }
  }

  get length(): number {
    return this.size;
  }

  private grow(): void {
    const cap = this.blocks.length;
    const blocks = new Int32Array(cap * 2);
    const times = new Float64Array(cap * 2);
    for (let i = 0; i < this.size; i++) {
      blocks[i] = this.blocks[(this.head + i) % cap]!;
      times[i] = this.times[(this.head + i) % cap]!;
    }
    this.blocks = blocks;
    this.times = times;
    this.head = 0;
  }
}
