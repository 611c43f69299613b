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
  /** Exponential with the given rate (mean 1/rate), by the ziggurat method. */
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

/**
 * Ziggurat tables for Exp(1) (Marsaglia & Tsang, "The Ziggurat Method for Generating Random Variables",
 * J. Stat. Softw. 5(8), 2000): 256 layers of equal area. One 32-bit draw gives the layer (low 8 bits)
 * and a 24-bit position in it (high 24 bits, so layer and position do not share bits); 98.9% of draws
 * need nothing else, where inversion (-log(1 - U)) costs a logarithm every time.
 */
const ZIGGURAT_R = 7.697117470131487;
const ZIGGURAT_AREA = 3.949659822581572e-3;
const POSITION_SPAN = 2 ** 24;
const zigguratK = new Uint32Array(256);
const zigguratW = new Float64Array(256);
const zigguratF = new Float64Array(256);
{
  let de = ZIGGURAT_R;
  let te = de;
  const q = ZIGGURAT_AREA / Math.exp(-de);
  zigguratK[0] = Math.floor((de / q) * POSITION_SPAN);
  zigguratK[1] = 0;
  zigguratW[0] = q / POSITION_SPAN;
  zigguratW[255] = de / POSITION_SPAN;
  zigguratF[0] = 1;
  zigguratF[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(ZIGGURAT_AREA / de + Math.exp(-de));
    zigguratK[i + 1] = Math.floor((de / te) * POSITION_SPAN);
    te = de;
    zigguratF[i] = Math.exp(-de);
    zigguratW[i] = de / POSITION_SPAN;
  }
}

export function createRandomStream(seed: number, name: string): RandomStream {
  const init = splitmix32((hashName(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const next = (): number => nextUint32() / 4294967296;
  // NOTE: the common case (a draw inside its layer's rectangle) is kept apart from the rest so that it
  // is small enough for V8 to inline into callers; the draws and results are the same either way.
  const exponentialEdge = (first: number, rate: number): number => {
    let u = first;
    for (;;) {
      const layer = u & 255;
      const position = u >>> 8;
      if (position < zigguratK[layer]!) return (position * zigguratW[layer]!) / rate;
      // The tail beyond the base layer is R + Exp(1), by memorylessness.
      if (layer === 0) return (ZIGGURAT_R - Math.log(1 - next())) / rate;
      const x = position * zigguratW[layer]!;
      const f = zigguratF[layer]!;
      if (f + next() * (zigguratF[layer - 1]! - f) < Math.exp(-x)) return x / rate;
      u = nextUint32();
    }
  };
  const exponential = (rate: number): number => {
    const u = nextUint32();
    const position = u >>> 8;
    if (position < zigguratK[u & 255]!) return (position * zigguratW[u & 255]!) / rate;
    return exponentialEdge(u, rate);
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
    exponential,
    normal,
    lognormal: (mu, sigma) => Math.exp(normal(mu, sigma)),
    jitter: (period, fraction) => period * (1 + fraction * next()),
    int: (n) => Math.floor(next() * n),
  };
}
