/**
 * Simulated time. The unit is the second, held as a float64: a six-hour run at microsecond
 * resolution still has 10 spare significant digits.
 */
export type Seconds = number & { readonly __unit: 'seconds' };

export const seconds = (value: number): Seconds => value as Seconds;
export const milliseconds = (value: number): Seconds => (value / 1000) as Seconds;
export const minutes = (value: number): Seconds => (value * 60) as Seconds;
export const hours = (value: number): Seconds => (value * 3600) as Seconds;
export const ZERO = 0 as Seconds;
export const FOREVER = Number.POSITIVE_INFINITY as Seconds;
