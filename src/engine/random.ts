/**
 * Seeded random streams.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 128-bit state, period >= 2^32,
 * passes PractRand to 2^40+), seeded through splitmix32 from FNV-1a(name) xor the run seed.
 * Each component asks for a stream by name, so adding a component never shifts another's draws.
 */
export interface RandomStream {
  readonly name: string;
  /** Uniform in [0, 1). */
  next(): number;
  uniform(low: number, high: number): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  normal(mean: number, stdDev: number): number;
  /** exp(N(mu, sigma)). */
  lognormal(mu: number, sigma: number): number;
  /** period * (1 + fraction * U[0,1)): client-go's wait.Jitter. */
  jitter(period: number, fraction: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandomStream(seed: number, name: string): RandomStream {
  const init = splitmix32((hashName(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare = Number.NaN;
  const normal = (mean: number, stdDev: number): number => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return mean + stdDev * z;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = next() * 2 - 1;
      v = next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * m;
    return mean + stdDev * u * m;
  };
  return {
    name,
    next,
    uniform: (low, high) => low + (high - low) * next(),
    exponential: (rate) => -Math.log(1 - next()) / rate,
    normal,
    lognormal: (mu, sigma) => Math.exp(normal(mu, sigma)),
    jitter: (period, fraction) => period * (1 + fraction * next()),
    int: (n) => Math.floor(next() * n),
  };
}
