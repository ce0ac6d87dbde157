// A report table (robustness curves, corruption errors, …) read from its column names, so tables
// the engine adds later draw without a chart of their own: the x is the perturbation strength the
// table varies (ε, p, bits, severity), the y its percentages (accuracy or error); columns that
// describe a row (σ, SNR, steps, tensors) stay in the table, and rows that differ in configuration
// (protocol, iterations, random start) are separate lines.
import { formatInt } from '../format.js';
import type { ReportTable } from '../run-types.js';
import { axisTooltip, base, categoryAxis, frame, legendOf, valueAxis } from './axes.js';
import { HEAT_COLORS, seriesColor } from './palette.js';
import type { ChartOption, NamedPoints } from './types.js';

/** Columns that can be a table's x, in preference order, with their axis titles. */
const X_COLUMNS: Record<string, string> = {
  ε: 'ε (L∞ budget or noise scale)',
  'ε (mean)': 'ε (mean over the images)',
  p: 'dropout rate p',
  bits: 'weight bits',
  severity: 'severity',
};

/** Numeric columns that set a row's configuration: rows differing in them are separate lines. */
const CONFIG_COLUMNS = new Set(['iterations', 'random start', 'protocol', 'draws']);

/** A table as a chart: its curves and axis titles. */
export interface TableChart {
  /** The x column's axis title. */
  x: string;
  /** The y axis title (`accuracy (%)` or `error (%)`). */
  y: string;
  /** One line per y column × configuration. */
  series: NamedPoints[];
}

const isPercent = (c: string): boolean => /%\s*$/.test(c);

function yTitle(columns: readonly string[]): string {
  return columns.every((c) => /error/i.test(c)) ? 'error (%)' : 'accuracy (%)';
}

/** Corruption-style tables: one row per item, one `… <level> … %` column per level. */
function wideChart(t: ReportTable): TableChart | null {
  const levels = t.columns
    .map((c, i) => ({ i, level: /(\d+)/.exec(c)?.[1], c }))
    .filter((x) => x.i > 0 && isPercent(x.c) && x.level !== undefined);
  if (levels.length < 2) return null;
  const series = t.rows
    .map((r) => ({
      name: String(r[0]),
      data: levels
        .filter((l) => typeof r[l.i] === 'number')
        .map((l) => [Number(l.level), r[l.i] as number] as [number, number]),
    }))
    .filter((s) => s.data.length >= 2);
  if (series.length === 0) return null;
  const head = /^(\D+?)\s*\d/.exec(levels[0]?.c ?? '')?.[1] ?? 'level';
  return { x: head.trim(), y: yTitle(levels.map((l) => l.c)), series };
}

/**
 * The chart of a table, or null when it is not a curve (one row, or no strength column with two
 * points on one line): such tables are shown as tables only.
 */
export function tableChart(t: ReportTable): TableChart | null {
  const wide = wideChart(t);
  if (wide) return wide;
  const xi = Object.keys(X_COLUMNS)
    .map((name) => t.columns.indexOf(name))
    .find((i) => i >= 0 && t.rows.filter((r) => typeof r[i] === 'number').length >= 2);
  if (xi === undefined) return null;
  const ys = t.columns.map((c, i) => ({ c, i })).filter((x) => x.i !== xi && isPercent(x.c));
  if (ys.length === 0) return null;
  const varying = t.columns
    .map((c, i) => ({ c, i, values: t.rows.map((r) => r[i]) }))
    .filter(({ c, i, values }) => i !== xi && !isPercent(c) && new Set(values.map(String)).size > 1);
  // Configuration columns (protocol, iterations…) split the lines; a label column that repeats
  // splits them only in a table without any, since there it is the configuration (a corruption);
  // beside a protocol it describes the row (FGSM's "attack": one per point).
  const config = varying.filter(({ c }) => CONFIG_COLUMNS.has(c));
  const keys =
    config.length > 0
      ? config
      : varying.filter(
          ({ values }) => values.every((v) => typeof v === 'string') && new Set(values).size < t.rows.length,
        );
  const lines = new Map<string, [number, number][]>();
  for (const y of ys) {
    for (const r of t.rows) {
      const x = r[xi];
      const v = r[y.i];
      if (typeof x !== 'number' || typeof v !== 'number') continue;
      const config = keys.map((k) => `${k.c} ${String(r[k.i])}`).join(', ');
      const base = ys.length > 1 ? y.c.replace(/\s*%\s*$/, '') : '';
      const name = [base, config].filter(Boolean).join(' · ') || y.c.replace(/\s*%\s*$/, '');
      (lines.get(name) ?? lines.set(name, []).get(name))?.push([x, v]);
    }
  }
  const series = [...lines]
    .map(([name, data]) => ({ name, data: data.sort((a, b) => a[0] - b[0]) }))
    .filter((s) => s.data.length >= 2);
  if (series.length === 0) return null;
  return { x: X_COLUMNS[t.columns[xi] ?? ''] ?? t.columns[xi] ?? '', y: yTitle(ys.map((y) => y.c)), series };
}

/** The chart option of a {@link TableChart}: percentages on 0–100, the strength on x. */
export function tableChartOption(c: TableChart): ChartOption {
  const names = c.series.map((s) => s.name);
  return {
    ...base(),
    tooltip: axisTooltip(),
    legend: legendOf(names),
    grid: frame({ legend: names.length > 1 }),
    xAxis: valueAxis({ title: c.x, fit: true }, 'x'),
    yAxis: valueAxis({ title: c.y, min: 0, max: 100 }, 'y'),
    series: c.series.map((s, i) => ({
      id: s.name,
      name: s.name,
      type: 'line',
      data: s.data,
      symbolSize: 6,
      itemStyle: { color: seriesColor(i) },
      lineStyle: { color: seriesColor(i), width: 1.8 },
    })),
  };
}

/** A confusion matrix table: rows = true class, columns = predicted, first column the class name. */
export function confusionOption(t: ReportTable): ChartOption {
  const classes = t.rows.map((r) => String(r[0]));
  const cells: [number, number, number][] = [];
  let max = 1;
  t.rows.forEach((r, i) =>
    r.slice(1).forEach((v, j) => {
      const n = typeof v === 'number' ? v : Number(v);
      cells.push([j, i, n]);
      if (n > max) max = n;
    }),
  );
  return {
    ...base(),
    tooltip: {
      confine: true,
      formatter: (p: { value: [number, number, number] }) =>
        `true ${classes[p.value[1]]} → predicted ${classes[p.value[0]]}: ${formatInt(p.value[2])}`,
    },
    grid: frame({ legend: false, bottom: 6 }),
    xAxis: categoryAxis('predicted class', classes, 'x'),
    yAxis: categoryAxis('true class', classes, 'y', { inverse: true, nameGap: 30 }),
    visualMap: { min: 0, max, show: false, inRange: { color: HEAT_COLORS } },
    series: [
      {
        type: 'heatmap',
        data: cells,
        label: {
          show: classes.length <= 12,
          fontSize: 9,
          formatter: (p: { value: number[] }) => formatInt(p.value[2]),
        },
      },
    ],
  };
}
