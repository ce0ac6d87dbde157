import { formatNumber } from '../format.js';
import {
  bestIndices,
  formatMeanStd,
  formatMetricValue,
  metricDef,
  type MetricDirection,
  type MetricUnit,
} from '../metrics.js';
import type { ComparedRun, RunGroup } from './compare.js';

/** A column of the comparison table. */
export interface TableColumn {
  /** Stable key (a metric key for metric columns). */
  key: string;
  /** Header. */
  label: string;
  /** Unit of a metric column (absent for configuration columns). */
  unit?: MetricUnit;
  /** Which end is best (from the metric registry). */
  direction: MetricDirection;
  /** The run's value. */
  value: (r: ComparedRun) => number | string | undefined;
}

/** A cell as shown. */
export interface TableCell {
  /** Text. */
  text: string;
  /** The best of its column (ties all marked). */
  best: boolean;
}

/** A row: one run, or the mean ± std of a group. */
export interface TableRow {
  /** Run id (run rows). */
  id?: string;
  /** First cell: run name or group label. */
  label: string;
  /** One cell per column. */
  cells: TableCell[];
}

/** The table: what every run shares, the columns that differ, rows grouped by configuration. */
export interface CompareTable {
  /** Configuration every run shares (shown once above the table). */
  shared: { label: string; text: string }[];
  /** Columns. */
  columns: TableColumn[];
  /** One block per group: a summary row when it has several runs, then its runs. */
  groups: { label: string; color: string; summary?: TableRow; runs: TableRow[] }[];
  /** True when the best-marks are on group means (some group has several runs), else on runs. */
  bestOnMeans: boolean;
}

const last = (r: ComparedRun) => r.epochs[r.epochs.length - 1];

function configColumns(): TableColumn[] {
  const c = (key: string, label: string, value: TableColumn['value']): TableColumn => ({
    key,
    label,
    direction: null,
    value,
  });
  return [
    c('method', 'method', (r) => r.detail.summary.method),
    c('model', 'model', (r) => r.detail.summary.model),
    c('dataset', 'dataset', (r) => r.detail.summary.dataset),
    c('seed', 'seed', (r) => r.detail.summary.seed),
    c('epochs', 'epochs', (r) => r.detail.spec.training.epochs),
    c('batch', 'batch', (r) => r.detail.spec.training.batchSize),
    c('lr', 'lr', (r) => r.detail.spec.training.lr),
    c('parameters', 'parameters', (r) => r.detail.report?.parameters),
  ];
}

function metricColumn(key: string, value: TableColumn['value']): TableColumn {
  const d = metricDef(key);
  return { key, label: d.short, unit: d.unit, direction: d.direction, value };
}

/** Metric columns: the run-level results, then every report metric any run has (registry order of appearance). */
export function metricColumns(runs: readonly ComparedRun[]): TableColumn[] {
  const extra = [...new Set(runs.flatMap((r) => Object.keys(r.detail.report?.metrics ?? {})))].filter(
    (k) => k !== 'acc' && k !== 'loss',
  );
  return [
    metricColumn('testAcc', (r) => r.detail.report?.testAcc ?? last(r)?.test.acc),
    metricColumn('bestTestAcc', (r) => r.detail.report?.bestTestAcc ?? r.detail.summary.bestTestAcc),
    metricColumn('testLoss', (r) => r.detail.report?.testLoss ?? last(r)?.test.loss),
    metricColumn('seconds', (r) => r.detail.report?.seconds ?? r.detail.summary.seconds),
    ...extra.map((k) => metricColumn(k, (r) => r.detail.report?.metrics[k])),
  ];
}

function show(col: TableColumn, v: number | string | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return col.unit ? formatMetricValue(col.unit, v) : formatNumber(v);
}

function numbers(col: TableColumn, runs: readonly ComparedRun[]): number[] {
  return runs
    .map((r) => col.value(r))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const std =
    xs.length > 1 ? Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  return { mean, std };
}

/**
 * The comparison table: configuration the runs share is lifted out of the columns; rows are
 * grouped by configuration with a mean ± std row per group of several seeds; each metric column's
 * best (by its declared direction, ties included) is marked on the group means, or on the runs when
 * every group has one run.
 */
export function compareTable(groups: readonly RunGroup[]): CompareTable {
  const runs = groups.flatMap((g) => g.runs);
  const shared: CompareTable['shared'] = [];
  const columns: TableColumn[] = [];
  for (const c of configColumns()) {
    const values = new Set(runs.map((r) => String(c.value(r) ?? '—')));
    if (c.key === 'seed' || values.size > 1) columns.push(c);
    else if (runs.length > 0) shared.push({ label: c.label, text: show(c, c.value(runs[0] as ComparedRun)) });
  }
  columns.push(...metricColumns(runs));
  const bestOnMeans = groups.some((g) => g.runs.length > 1);
  const best = new Map<string, Set<number>>();
  for (const c of columns) {
    if (!c.direction || !c.unit) continue;
    const values = bestOnMeans
      ? groups.map((g) => {
          const xs = numbers(c, g.runs);
          return xs.length > 0 ? meanStd(xs).mean : undefined;
        })
      : runs.map((r) => {
          const v = c.value(r);
          return typeof v === 'number' ? v : undefined;
        });
    best.set(c.key, new Set(bestIndices(values, c.direction, c.unit)));
  }
  let runIndex = 0;
  return {
    shared,
    columns,
    bestOnMeans,
    groups: groups.map((g, gi) => {
      const runRows = g.runs.map((r): TableRow => {
        const i = runIndex++;
        return {
          id: r.id,
          label: r.detail.summary.name,
          cells: columns.map((c) => ({
            text: show(c, c.value(r)),
            // With group means marked, a group of one run is its own mean.
            best: bestOnMeans
              ? g.runs.length === 1 && (best.get(c.key)?.has(gi) ?? false)
              : (best.get(c.key)?.has(i) ?? false),
          })),
        };
      });
      const summary: TableRow | undefined =
        g.runs.length > 1
          ? {
              label: `${g.label} · mean ± std (n = ${g.runs.length})`,
              cells: columns.map((c) => {
                if (c.key === 'seed')
                  return { text: g.runs.map((r) => r.detail.summary.seed).join(', '), best: false };
                const xs = numbers(c, g.runs);
                if (!c.unit) {
                  const texts = new Set(g.runs.map((r) => show(c, c.value(r))));
                  return { text: texts.size === 1 ? ([...texts][0] ?? '') : '…', best: false };
                }
                if (xs.length === 0) return { text: '—', best: false };
                const { mean, std } = meanStd(xs);
                return { text: formatMeanStd(c.unit, mean, std), best: best.get(c.key)?.has(gi) ?? false };
              }),
            }
          : undefined;
      return { label: g.label, color: g.color, ...(summary ? { summary } : {}), runs: runRows };
    }),
  };
}

/** The table as CSV rows (group, run, then every column's shown text). */
export function compareTableCsv(t: CompareTable): string[][] {
  return [
    ['group', 'run', ...t.columns.map((c) => c.label)],
    ...t.groups.flatMap((g) => [
      ...(g.summary ? [[g.label, 'mean ± std', ...g.summary.cells.map((c) => c.text)]] : []),
      ...g.runs.map((r) => [g.label, r.label, ...r.cells.map((c) => c.text)]),
    ]),
  ];
}
