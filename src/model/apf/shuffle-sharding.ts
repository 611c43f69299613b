/**
 * Shuffle sharding: a flow's hash deals it a hand of `handSize` distinct queues out of `queues`.
 *
 * Mechanism from apiserver@v0.31.0 pkg/util/shufflesharding/shufflesharding.go (mixed-radix digits of
 * the hash, drawn without replacement). k8s hashes with SHA-256; we use a deterministic 53-bit FNV-1a
 * pair, so hands differ from a real server's but have the same distribution.
 */

function fnv1a(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 53-bit integer hash (exact in a double). */
export function flowHash(flowKey: string): number {
  const high = fnv1a(flowKey, 0x811c9dc5);
  const low = fnv1a(flowKey, 0x2f9be6cc);
  return high * 2097152 + (low >>> 11);
}

/** Deals a hand: digit i of the hash in radix (queues - i) picks among the queues not yet dealt. */
export function dealHand(hash: number, queues: number, handSize: number): Int32Array {
  const hand = new Int32Array(handSize);
  const picked: number[] = [];
  let h = hash;
  for (let i = 0; i < handSize; i++) {
    const radix = queues - i;
    const next = Math.floor(h / radix);
    let card = h - next * radix;
    h = next;
    // The card-th queue among those not yet picked; `picked` stays sorted ascending.
    for (const p of picked) if (card >= p) card++;
    hand[i] = card;
    let at = picked.length;
    while (at > 0 && picked[at - 1]! > card) at--;
    picked.splice(at, 0, card);
  }
  return hand;
}
