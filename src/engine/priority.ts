/**
 * Event priorities: lower runs first among events at the same instant (SimPy's URGENT and NORMAL).
 * Callers may use any integer in [0, MAX_PRIORITY]; the simulation reserves a higher one for the
 * end-of-run event so that every event at exactly `until` still runs.
 */
export const URGENT = 0;
export const NORMAL = 1;
export const LATE = 2;
export const MAX_PRIORITY = 127;
