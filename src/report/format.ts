/** Number and time formatting shared by the terminal summary and the HTML report. */

/** Simulated seconds since scenario start as "T+1:05:30" (hours unbounded), or "—" for null. */
export function formatOffset(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '-' : '+';
  const s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `T${sign}${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** A duration for people: "45 s", "12 min", "3 h 05 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${trimNumber(s)} s`;
  if (s < 3600) return `${sign}${trimNumber(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return `${sign}${h} h ${String(m).padStart(2, '0')} min`;
}

/** A signed difference in minutes, "+4.5 min" / "-12 min" / "±0 min". */
export function formatDeltaMinutes(seconds: number): string {
  const minutes = seconds / 60;
  if (Math.abs(minutes) < 0.05) return '±0 min';
  return `${minutes > 0 ? '+' : '-'}${trimNumber(Math.abs(minutes))} min`;
}

/** At most 3 significant digits, no trailing zeros: 0.0123, 1.5, 42, 1234. */
export function trimNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs === 0) return '0';
  return String(Number(value.toPrecision(3)));
}

/** A value with its unit, scaled for reading: seconds as ms/s, bytes as GiB, fractions as %. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'seconds':
      return value < 1 ? `${trimNumber(value * 1000)} ms` : formatDuration(value);
    case 'bytes':
      return formatBytes(value);
    case 'fraction':
    case 'ratio':
      return `${formatPercent(value)}`;
    default:
      return unit === '' || unit === '1' ? trimNumber(value) : `${trimNumber(value)} ${unit}`;
  }
}

export function formatBytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trimNumber(v)} ${units[i]}`;
}

/** A fraction as a percentage with enough digits to tell 99.9% from 100%. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 100 || p === 0) return `${p}%`;
  if (p > 99 && p < 100) return `${Math.floor(p * 100) / 100}%`;
  // Hundredths of a percent are the finest step a reader needs; below it, say so in a table's width.
  if (p > 0 && p < 0.01) return '<0.01%';
  return `${trimNumber(p)}%`;
}
