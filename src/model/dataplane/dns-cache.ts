/**
 * A DNS cache as fluid accounting over a cohort of identical entries: the same name cached on many
 * nodes (NodeLocal DNSCache), or in many pods (JVM cache, connection pools). Query volumes are huge
 * and every entry of a cohort sees the same upstream, so instead of one state per entry the cohort
 * keeps the fraction of its entries in each state and advances them once per step (1 s):
 *
 *   fresh[k]      positive answer, expires in k steps            served: ok
 *   failing[k]    SERVFAIL cached (cache plugin `servfail`, 5 s)  served: SERVFAIL
 *   stale         expired positive, inside serve_stale DURATION   served: ok (TTL 0)
 *   staleFailing  expired SERVFAIL still in the denial cache      served: SERVFAIL
 *   empty         nothing servable: the next query is a miss      forwarded upstream
 *
 * Transitions follow coredns plugin/cache (handler.go, cache.go at v1.11): a miss forwards and
 * caches what comes back (NOERROR -> success cache, SERVFAIL -> denial cache for failTtl; errors
 * such as timeouts are not cached). With serve_stale `immediate`, a stale hit is served and refreshed
 * in the background, and a SERVFAIL from that refresh lands in the denial cache, which is consulted
 * first: it shadows the stale answer (coredns#7956, fixed by #8003 in 2026). With `verify`, the
 * refresh happens first and only NOERROR/NXDOMAIN replace the entry, so a SERVFAIL upstream keeps
 * the stale answer served -- but a SERVFAIL cached before the entry went stale is served stale too,
 * and every lookup of it re-forwards.
 *
 * Queries per entry are Poisson with rate `lambda`; the first query of a step decides the step's
 * answer for that entry (later ones hit what it cached), so each step's lookup outcome is read from
 * the state at the step's start.
 */

/** What one upstream forward returns: NOERROR/NXDOMAIN, a SERVFAIL response, or an error (timeout, refused). */
export interface UpstreamOutcome {
  readonly ok: number;
  readonly servfail: number;
  readonly error: number;
}

export const HEALTHY_UPSTREAM: UpstreamOutcome = { ok: 1, servfail: 0, error: 0 };

export interface CacheCohortConfig {
  /** Longest positive TTL, steps (>= 1). */
  readonly successTtl: number;
  /**
   * 'full': every positive answer is cached for successTtl. 'uniform': the upstream is itself a
   * cache that hands out its remaining TTL, so cached lifetimes spread over 1..successTtl.
   */
  readonly ttlSpread: 'full' | 'uniform';
  /** How long SERVFAIL (or a negative result) is cached, steps; 0 = not cached. */
  readonly failTtl: number;
  readonly serveStale: { readonly duration: number; readonly mode: 'immediate' | 'verify' } | null;
  /** Client tries of a lookup whose forward ended in an error (glibc `attempts`); SERVFAIL is cached, so not retried. */
  readonly attempts: number;
}

/** Fractions of this step's lookups by answer, and the upstream forwards per entry this step. */
export interface CohortStep {
  ok: number;
  servfail: number;
  error: number;
  forwards: number;
}

/**
 * Mass by age with O(1) aging and uniform retention: slots hold mass divided by a running scale,
 * so multiplying every age by the same retention is one multiplication.
 */
class AgedPool {
  private readonly slots: Float64Array;
  private cur = 0;
  private scale = 1;
  total = 0;

  constructor(readonly duration: number) {
    this.slots = new Float64Array(Math.max(1, duration));
  }

  /** Moves to the next step; returns the mass that reached `duration` and is dropped. */
  advance(): number {
    this.cur = (this.cur + 1) % this.slots.length;
    const dropped = this.slots[this.cur]! * this.scale;
    this.slots[this.cur] = 0;
    this.total = Math.max(0, this.total - dropped);
    return dropped;
  }

  add(mass: number): void {
    if (mass <= 0) return;
    this.slots[this.cur]! += mass / this.scale;
    this.total += mass;
  }

  /** Keeps `r` of every age; returns residue cleared for precision (the caller keeps it accounted). */
  retain(r: number): number {
    this.scale *= r;
    this.total *= r;
    if (this.total < 1e-13 || this.scale < 1e-200) {
      const residue = this.total;
      if (this.total < 1e-13) {
        this.slots.fill(0);
        this.total = 0;
      } else {
        for (let i = 0; i < this.slots.length; i++) this.slots[i]! *= this.scale;
      }
      this.scale = 1;
      return this.total === 0 ? residue : 0;
    }
    return 0;
  }
}

/** Expected forwards in a step when each one ends the sequence with probability p (Poisson queries). */
function forwardsUntilResolved(lambda: number, p: number): number {
  return p > 1e-12 ? (1 - Math.exp(-lambda * p)) / p : lambda;
}

export class CacheCohort {
  /**
   * [freshTotal, failTotal, empty, fresh..., failing...]: one block of memory. A double-valued field
   * is a separate heap box, and a data plane's cohorts are cold when its step comes round, so the
   * totals and the rings are kept together.
   */
  private readonly state: Float64Array;
  private readonly fresh: Float64Array;
  private freshHead = 0;
  private readonly failing: Float64Array;
  private failHead = 0;
  private stale: AgedPool | null;
  private staleFailing: AgedPool | null;

  constructor(
    private config: CacheCohortConfig,
    lambda: number,
  ) {
    if (!(config.successTtl >= 1))
      throw new RangeError(`CacheCohort: successTtl must be >= 1 step, got ${config.successTtl}`);
    const T = Math.round(config.successTtl);
    const F = Math.max(1, Math.round(config.failTtl));
    this.state = new Float64Array(3 + T + F);
    this.fresh = this.state.subarray(3, 3 + T);
    this.failing = this.state.subarray(3 + T);
    this.empty = 1;
    const stale = config.serveStale;
    this.stale = stale ? new AgedPool(Math.round(stale.duration)) : null;
    this.staleFailing = stale ? new AgedPool(Math.round(stale.duration)) : null;
    this.warm(lambda);
  }

  /** Steady state under a healthy upstream: each entry cycles through its TTL, then waits for a query. */
  private warm(lambda: number): void {
    const T = this.fresh.length;
    const q = 1 - Math.exp(-lambda);
    const waitSteps = q > 0 ? 1 / q : Number.POSITIVE_INFINITY;
    // Mass of fresh snapshots with j steps left (j = 1..T-1) is proportional to P(TTL > j).
    const weights: number[] = [];
    let freshSteps = 0;
    for (let j = 1; j < T; j++) {
      const w = this.config.ttlSpread === 'uniform' ? (T - j) / T : 1;
      weights.push(w);
      freshSteps += w;
    }
    const cycle = freshSteps + waitSteps;
    if (!Number.isFinite(cycle) || cycle <= 0) return;
    for (let j = 1; j < T; j++) {
      const m = weights[j - 1]! / cycle;
      this.fresh[(this.freshHead + j - 1) % T] = m;
      this.freshTotal += m;
    }
    // Entries between expiry and their next query: stale (still servable) when serve_stale is on.
    const waiting = 1 - this.freshTotal;
    if (this.stale) {
      this.stale.add(waiting);
      this.empty = 0;
    } else {
      this.empty = waiting;
    }
  }

  private get freshTotal(): number {
    return this.state[0]!;
  }
  private set freshTotal(value: number) {
    this.state[0] = value;
  }
  private get failTotal(): number {
    return this.state[1]!;
  }
  private set failTotal(value: number) {
    this.state[1] = value;
  }
  private get empty(): number {
    return this.state[2]!;
  }
  private set empty(value: number) {
    this.state[2] = value;
  }

  /** Fraction of entries that would answer a lookup from cache right now (fresh or stale positive). */
  get servableFraction(): number {
    return this.freshTotal + (this.stale?.total ?? 0);
  }

  get staleFraction(): number {
    return this.stale?.total ?? 0;
  }

  /** Sum of all state masses (1 up to rounding): the conservation invariant tests check. */
  get mass(): number {
    return (
      this.freshTotal +
      this.failTotal +
      (this.stale?.total ?? 0) +
      (this.staleFailing?.total ?? 0) +
      this.empty
    );
  }

  /** Forgets everything (the cache's process restarted). */
  clear(): void {
    this.fresh.fill(0);
    this.failing.fill(0);
    this.freshTotal = 0;
    this.failTotal = 0;
    this.stale?.retain(0);
    this.staleFailing?.retain(0);
    this.empty = 1;
  }

  /** Turns serve_stale on or off (a Corefile change); entries already expired stay expired. */
  setServeStale(serveStale: CacheCohortConfig['serveStale']): void {
    if (!serveStale) {
      this.empty += (this.stale?.total ?? 0) + (this.staleFailing?.total ?? 0);
      this.stale = null;
      this.staleFailing = null;
    } else if (!this.stale) {
      this.stale = new AgedPool(Math.round(serveStale.duration));
      this.staleFailing = new AgedPool(Math.round(serveStale.duration));
    }
    this.config = { ...this.config, serveStale };
  }

  /** Advances one step under query rate `lambda` per entry and upstream `o`; writes into `out`. */
  step(lambda: number, o: UpstreamOutcome, out: CohortStep): void {
    const cfg = this.config;
    const T = this.fresh.length;
    // 1. Expiry of the slot due now.
    const expiredFresh = this.fresh[this.freshHead]!;
    this.fresh[this.freshHead] = 0;
    this.freshHead = (this.freshHead + 1) % T;
    this.freshTotal = Math.max(0, this.freshTotal - expiredFresh);
    let expiredFail = 0;
    if (cfg.failTtl >= 1) {
      const F = this.failing.length;
      expiredFail = this.failing[this.failHead]!;
      this.failing[this.failHead] = 0;
      this.failHead = (this.failHead + 1) % F;
      this.failTotal = Math.max(0, this.failTotal - expiredFail);
    }
    if (this.stale && this.staleFailing) {
      this.empty += this.stale.advance() + this.staleFailing.advance();
      this.stale.add(expiredFresh);
      this.staleFailing.add(expiredFail);
    } else {
      this.empty += expiredFresh + expiredFail;
    }

    // 2. What this step's lookups get, from the state at its start.
    const e = o.error;
    let tries = 1;
    let ePow = 1;
    for (let i = 1; i < cfg.attempts; i++) {
      ePow *= e;
      tries += ePow;
    }
    const missOk = o.ok * tries;
    const missServfail = o.servfail * tries;
    const missError = ePow * e;
    const S = this.stale?.total ?? 0;
    const NS = this.staleFailing?.total ?? 0;
    const verify = cfg.serveStale?.mode === 'verify';
    const E = this.empty;
    const total = this.freshTotal + this.failTotal + S + NS + E;
    const norm = total > 0 ? 1 / total : 0;
    out.ok = (this.freshTotal + S + E * missOk + (verify ? NS * o.ok : 0)) * norm;
    out.servfail = (this.failTotal + E * missServfail + (verify ? NS * (1 - o.ok) : NS)) * norm;
    out.error = E * missError * norm;

    // 3. Transitions of the entries that were queried.
    let toFresh = 0;
    let toFail = 0;
    let forwards = 0;
    const resolved = 1 - missError;
    if (E > 0) {
      const leave = E * (1 - Math.exp(-lambda * resolved));
      forwards += E * forwardsUntilResolved(lambda, resolved) * tries;
      if (resolved > 0) {
        toFresh += (leave * missOk) / resolved;
        toFail += (leave * missServfail) / resolved;
      }
      this.empty -= leave;
    }
    if (this.stale && S > 0) {
      const p = verify ? o.ok : o.ok + o.servfail;
      const keep = Math.exp(-lambda * p);
      const leave = S * (1 - keep);
      forwards += S * forwardsUntilResolved(lambda, p);
      if (p > 0) {
        toFresh += verify ? leave : (leave * o.ok) / p;
        toFail += verify ? 0 : (leave * o.servfail) / p;
      }
      this.empty += this.stale.retain(keep);
    }
    if (this.staleFailing && NS > 0) {
      if (verify) {
        // The stale SERVFAIL stays in the denial cache; every lookup re-forwards (verify) until it ages out.
        forwards += NS * lambda;
      } else {
        const p = o.ok + o.servfail;
        const keep = Math.exp(-lambda * p);
        const leave = NS * (1 - keep);
        forwards += NS * forwardsUntilResolved(lambda, p);
        if (p > 0) {
          toFresh += (leave * o.ok) / p;
          toFail += (leave * o.servfail) / p;
        }
        this.empty += this.staleFailing.retain(keep);
      }
    }
    this.insertFresh(toFresh);
    if (cfg.failTtl >= 1) {
      const F = this.failing.length;
      this.failing[(this.failHead + F - 1) % F]! += toFail;
      this.failTotal += toFail;
    } else {
      this.empty += toFail;
    }
    out.forwards = forwards;
  }

  private insertFresh(m: number): void {
    if (m <= 0) return;
    const T = this.fresh.length;
    if (this.config.ttlSpread === 'uniform') {
      const share = m / T;
      for (let i = 0; i < T; i++) this.fresh[i]! += share;
    } else {
      this.fresh[(this.freshHead + T - 1) % T]! += m;
    }
    this.freshTotal += m;
  }
}

/**
 * The outcome of a lookup that goes straight to the upstream (no node cache): every try is a fresh
 * pick and a SERVFAIL is retried like a timeout (glibc res_send moves on to the next try).
 */
export function directLookup(o: UpstreamOutcome, attempts: number, out: CohortStep): void {
  const fail = 1 - o.ok;
  const allFail = fail ** attempts;
  out.ok = 1 - allFail;
  const sfShare = fail > 0 ? o.servfail / fail : 0;
  out.servfail = allFail * sfShare;
  out.error = allFail * (1 - sfShare);
  let tries = 0;
  let p = 1;
  for (let i = 0; i < attempts; i++) {
    tries += p;
    p *= fail;
  }
  out.forwards = tries;
}
