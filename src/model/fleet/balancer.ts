/**
 * The global balancer: user traffic is split across clusters by weight; operators can move a
 * cluster's share away, and the receiving clusters take it up to their serving capacity. What cannot
 * be placed stays where it was. Capacities change (nodes scaled down, restored nodes warming up), so
 * the fleet calls `refresh` at the balancer's health-check interval while traffic is moved.
 */
import type { ParameterDeclaration } from '../component.js';

/**
 * Seconds between the global balancer's re-placements of moved traffic: the default probe interval
 * of Azure Traffic Manager and Front Door health probes (30 s).
 */
export const BALANCER_INTERVAL = 30;

export const BALANCER_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'fleet.balancerInterval',
    value: BALANCER_INTERVAL,
    unit: 'seconds',
    source: 'Azure Traffic Manager / Front Door default health-probe interval (30 s)',
  },
];

export interface TrafficBalancer {
  /** Current share of fleet user traffic served by cluster i (sums to 1). */
  share(i: number): number;
  /** Load on cluster i relative to its normal share (1 = normal). */
  loadFactor(i: number): number;
  setAway(i: number, away: boolean): void;
  isAway(i: number): boolean;
  /** Whether some cluster's traffic is moved away now (refresh has something to re-place). */
  hasTrafficAway(): boolean;
  /** Re-places moved traffic on the receivers' current capacity. */
  refresh(): void;
}

/**
 * @param weights normal traffic weights per cluster.
 * @param capacity what cluster i can serve now, relative to its normal share (1.5 = its share +50%);
 *   a number applies to every cluster.
 */
export function createTrafficBalancer(
  weights: readonly number[],
  capacity: number | ((i: number) => number),
): TrafficBalancer {
  const capacityOf = typeof capacity === 'number' ? () => capacity : capacity;
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const base = weights.map((w) => w / total);
  const away = weights.map(() => false);
  let shares = [...base];

  const recompute = (): void => {
    const next = base.map((b, i) => (away[i] ? 0 : b));
    let displaced = base.reduce((sum, b, i) => sum + (away[i] ? b : 0), 0);
    const receivers = base.map((_, i) => i).filter((i) => !away[i]);
    const limit = base.map((b, i) => b * Math.max(1, capacityOf(i)));
    // Fill receivers proportionally to their base share, each up to its capacity (a receiver keeps
    // its own share even when it cannot serve all of it).
    for (let pass = 0; pass < 8 && displaced > 1e-12; pass++) {
      const open = receivers.filter((i) => next[i]! < limit[i]! - 1e-15);
      const openWeight = open.reduce((s, i) => s + base[i]!, 0);
      if (openWeight <= 0) break;
      let placed = 0;
      for (const i of open) {
        const want = (displaced * base[i]!) / openWeight;
        const room = limit[i]! - next[i]!;
        const take = Math.min(want, room);
        next[i]! += take;
        placed += take;
      }
      displaced -= placed;
    }
    // Whatever found no room stays on the clusters it was to leave, in proportion.
    if (displaced > 1e-12) {
      const awayWeight = base.reduce((s, b, i) => s + (away[i] ? b : 0), 0);
      for (let i = 0; i < base.length; i++) if (away[i]) next[i] = (displaced * base[i]!) / awayWeight;
    }
    shares = next;
  };

  const hasTrafficAway = (): boolean => away.some((a) => a);

  return {
    share: (i) => shares[i] ?? 0,
    loadFactor: (i) => (base[i]! > 0 ? shares[i]! / base[i]! : 0),
    setAway(i, value) {
      if (away[i] === value) return;
      away[i] = value;
      recompute();
    },
    isAway: (i) => away[i] ?? false,
    hasTrafficAway,
    refresh() {
      if (hasTrafficAway()) recompute();
    },
  };
}
