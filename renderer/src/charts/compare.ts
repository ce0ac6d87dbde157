import type { ComparedRun } from '../stores/compare';
import type { Points } from './curves';
import type { CurveGroup } from './bands';
import type { ChartOption } from './echarts';
import { SERIES_COLORS } from './palette';

/** The metric curves Compare can overlay. */
export type CompareMetric = 'test.acc' | 'test.loss' | 'train.loss' | 'train.acc';

/** Axis names of the metrics. */
export const METRIC_LABELS: Record<CompareMetric, string> = {
  'test.acc': 'test accuracy',
  'test.loss': 'test loss',
  'train.acc': 'train accuracy',
  'train.loss': 'train loss',
};

function curveOf(run: ComparedRun, metric: CompareMetric): Points {
  const [split, key] = metric.split('.') as ['test' | 'train', 'acc' | 'loss'];
  return run.epochs.map((e) => [e.epoch, e[split][key]]);
}

/** The configuration a run shares with its other seeds. */
export function groupKey(run: ComparedRun): string {
  const s = run.detail.summary;
  return s.study ? `${s.study} · ${s.method}` : `${s.method} · ${s.model} · ${s.dataset}`;
}

/** Runs grouped by configuration (seeds pooled); a group of one is drawn as a plain line. */
export function compareGroups(runs: readonly ComparedRun[], metric: CompareMetric): CurveGroup[] {
  const groups = new Map<string, Points[]>();
  for (const r of runs)
    (groups.get(groupKey(r)) ?? groups.set(groupKey(r), []).get(groupKey(r)))?.push(curveOf(r, metric));
  return [...groups].map(([name, curves]) => ({
    name: curves.length > 1 ? `${name} (n=${curves.length})` : name,
    curves,
  }));
}

/** σ^l profiles of the runs' last snapshots, overlaid. */
export function profilesOption(runs: readonly ComparedRun[]): ChartOption {
  const withProbe = runs.filter((r) => r.lastProbe);
  const taps = withProbe[0]?.lastProbe?.taps.map((t) => t.tap) ?? [];
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 64, right: 16, top: 32, bottom: 56 },
    xAxis: {
      type: 'category',
      data: taps,
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 36,
      axisLabel: { rotate: taps.length > 8 ? 40 : 0, fontSize: 10 },
    },
    yAxis: { type: 'value', name: 'σ per inter-class pair', scale: true },
    series: withProbe.map((r, i) => ({
      id: r.id,
      name: `${r.detail.summary.name} (epoch ${r.lastProbe?.epoch ?? ''})`,
      type: 'line',
      itemStyle: { color: SERIES_COLORS[i % SERIES_COLORS.length] },
      lineStyle: { color: SERIES_COLORS[i % SERIES_COLORS.length] },
      data: r.lastProbe?.taps.map((t) => t.sigma1Pairs) ?? [],
    })),
  };
}

/** A column of the comparison table and which end of it is best. */
export interface CompareColumn {
  key: string;
  label: string;
  better?: 'max' | 'min';
  value: (r: ComparedRun) => string | number | undefined;
}

/** Columns: configuration, then final metrics (best per column marked by the view). */
export function compareColumns(runs: readonly ComparedRun[]): CompareColumn[] {
  const extra = [...new Set(runs.flatMap((r) => Object.keys(r.detail.report?.metrics ?? {})))];
  const last = (r: ComparedRun) => r.epochs[r.epochs.length - 1];
  return [
    { key: 'method', label: 'method', value: (r) => r.detail.summary.method },
    { key: 'model', label: 'model', value: (r) => r.detail.summary.model },
    { key: 'dataset', label: 'dataset', value: (r) => r.detail.summary.dataset },
    { key: 'seed', label: 'seed', value: (r) => r.detail.summary.seed },
    { key: 'epochs', label: 'epochs', value: (r) => r.detail.spec.training.epochs },
    { key: 'batch', label: 'batch', value: (r) => r.detail.spec.training.batchSize },
    { key: 'lr', label: 'lr', value: (r) => r.detail.spec.training.lr },
    {
      key: 'testAcc',
      label: 'test acc',
      better: 'max',
      value: (r) => r.detail.report?.testAcc ?? last(r)?.test.acc,
    },
    {
      key: 'bestAcc',
      label: 'best acc',
      better: 'max',
      value: (r) => r.detail.report?.bestTestAcc ?? r.detail.summary.bestTestAcc,
    },
    {
      key: 'testLoss',
      label: 'test loss',
      better: 'min',
      value: (r) => r.detail.report?.testLoss ?? last(r)?.test.loss,
    },
    {
      key: 'seconds',
      label: 'seconds',
      better: 'min',
      value: (r) => r.detail.report?.seconds ?? r.detail.summary.seconds,
    },
    ...extra.map((k): CompareColumn => ({
      key: `m.${k}`,
      label: k,
      better: /loss|error|mce|sigma|norm/i.test(k) ? 'min' : 'max',
      value: (r) => r.detail.report?.metrics[k],
    })),
  ];
}

/** Index of the best run of a column, or -1. */
export function bestIndex(runs: readonly ComparedRun[], col: CompareColumn): number {
  if (!col.better) return -1;
  let best = -1;
  let bestV = 0;
  runs.forEach((r, i) => {
    const v = col.value(r);
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    if (best < 0 || (col.better === 'max' ? v > bestV : v < bestV)) {
      best = i;
      bestV = v;
    }
  });
  return best;
}
