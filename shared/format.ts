// Number formats for people: one set for the UI, the CLI, the study report and chart axes, so a
// value reads the same wherever it is shown.

/** Seconds as `42 s`, `3 min 05 s` or `1 h 12 min`; `—` when unknown or negative. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** A fraction in [0, 1] as a percentage (`97.65 %`), `decimals` after the point; `—` when unknown. */
export function formatPercent(x: number | undefined | null, decimals = 2): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(decimals)} %`;
}

/** A thousands-separated integer (`1,234`); `—` when unknown. */
export function formatInt(n: number | undefined | null): string {
  return n === undefined || n === null || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
}

/**
 * A scalar for tables and read-outs: `digits` significant digits, integers (counts) without a
 * fractional part, thousands separated; exponent notation when tiny or huge. `—` when unknown.
 */
export function formatNumber(x: number | undefined | null, digits = 4): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return x.toExponential(Math.max(0, digits - 1));
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const r = Number(x.toPrecision(digits));
  return a >= 1e4 ? r.toLocaleString('en-US', { maximumFractionDigits: 20 }) : String(r);
}

/**
 * An axis tick: ECharts computes ticks as sums of float steps, and its extremes may be raw data
 * values (1.1620469083155651); a tick is shown with at most 4 significant digits beyond what the
 * step needs, never with float noise.
 */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e9) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return formatNumber(Number(v.toPrecision(4)), 4);
}
