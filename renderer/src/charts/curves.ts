import type { EpochRecord, MetricsRecord, StepRecord } from '../../../shared/run-types';
import type { ChartOption } from './echarts';
import { ema } from './smoothing';

/** A series of `[x, y]` points. */
export type Points = [number, number][];

/** The curves of one run, on an x axis in (fractional) epochs. */
export interface RunCurves {
  /** Per-batch training loss and accuracy (step records). */
  stepLoss: Points;
  stepAcc: Points;
  /** End-of-epoch values per split. */
  loss: Record<'train' | 'val' | 'test', Points>;
  acc: Record<'train' | 'val' | 'test', Points>;
  /** Learning rate per step (or per epoch when there are no step records). */
  lr: Points;
  /** Named extra scalars of the test split per epoch (agreement, k-NN accuracies, …). */
  extra: Record<string, Points>;
}

/** Steps per epoch: from the first epoch record, else the caller's guess. */
export function stepsPerEpochOf(records: readonly MetricsRecord[], fallback: number): number {
  const first = records.find((r): r is EpochRecord => r.type === 'epoch');
  return first && first.step > 0 ? first.step / first.epoch : Math.max(1, fallback);
}

/** Splits metrics lines into chart series; x = step / steps-per-epoch, so epoch e ends at x = e. */
export function runCurves(records: readonly MetricsRecord[], stepsPerEpoch: number): RunCurves {
  const spe = stepsPerEpochOf(records, stepsPerEpoch);
  const c: RunCurves = {
    stepLoss: [],
    stepAcc: [],
    loss: { train: [], val: [], test: [] },
    acc: { train: [], val: [], test: [] },
    lr: [],
    extra: {},
  };
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  for (const r of steps) {
    const x = r.step / spe;
    c.stepLoss.push([x, r.loss]);
    c.stepAcc.push([x, r.acc]);
    c.lr.push([x, r.lr]);
  }
  for (const r of records) {
    if (r.type !== 'epoch') continue;
    for (const split of ['train', 'val', 'test'] as const) {
      const m = r[split];
      if (!m) continue;
      c.loss[split].push([r.epoch, m.loss]);
      c.acc[split].push([r.epoch, m.acc]);
    }
    if (steps.length === 0) c.lr.push([r.epoch, r.lr]);
    for (const [name, v] of Object.entries(r.test)) {
      if (name === 'loss' || name === 'acc' || typeof v !== 'number') continue;
      (c.extra[name] ??= []).push([r.epoch, v]);
    }
  }
  return c;
}

/** Smooths the y values of a series. */
export function smoothPoints(points: Points, weight: number): Points {
  const ys = ema(
    points.map((p) => p[1]),
    weight,
  );
  return points.map((p, i) => [p[0], ys[i] ?? p[1]]);
}

/** Settings of the loss / accuracy chart. */
export interface CurveSettings {
  /** EMA weight of the per-batch curves. */
  smoothing: number;
  /** Logarithmic loss axis. */
  logLoss: boolean;
}

const SPLITS = ['train', 'val', 'test'] as const;

/** The layout of the loss / accuracy chart (changes rarely): axes, grids, zoom, series styles. */
export function curvesBase(settings: CurveSettings): ChartOption {
  const series = [0, 1].flatMap((grid) => {
    const what = grid === 0 ? 'loss' : 'acc';
    return [
      {
        id: `${what}-batch`,
        name: 'batch',
        type: 'line',
        xAxisIndex: grid,
        yAxisIndex: grid,
        showSymbol: false,
        lineStyle: { width: 1, opacity: 0.25 },
        emphasis: { disabled: true },
        z: 1,
      },
      {
        id: `${what}-smooth`,
        name: 'batch (smoothed)',
        type: 'line',
        xAxisIndex: grid,
        yAxisIndex: grid,
        showSymbol: false,
        lineStyle: { width: 1.5 },
        z: 2,
      },
      ...SPLITS.map((s) => ({
        id: `${what}-${s}`,
        name: s,
        type: 'line',
        xAxisIndex: grid,
        yAxisIndex: grid,
        symbolSize: 5,
        z: 3,
      })),
    ];
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    color: ['#9aa4b2', '#4e79a7', '#59a14f', '#edc948', '#e15759'],
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v)),
    },
    legend: { top: 0, data: ['batch (smoothed)', ...SPLITS] },
    grid: [
      { left: 56, right: 16, top: 28, height: '34%' },
      { left: 56, right: 16, top: '55%', bottom: 52 },
    ],
    xAxis: [0, 1].map((i) => ({
      type: 'value',
      gridIndex: i,
      name: i === 1 ? 'epoch' : '',
      nameLocation: 'middle',
      nameGap: 24,
      min: 0,
      max: 'dataMax',
    })),
    yAxis: [
      { type: settings.logLoss ? 'log' : 'value', gridIndex: 0, name: 'loss', scale: true },
      {
        type: 'value',
        gridIndex: 1,
        name: 'accuracy',
        min: (v: { min: number }) => Math.max(0, Math.floor(v.min * 10) / 10),
        max: 1,
      },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1], filterMode: 'none' },
      { type: 'slider', xAxisIndex: [0, 1], height: 16, bottom: 6, filterMode: 'none' },
    ],
    series,
  };
}

function positive(points: Points): Points {
  return points.filter((p) => p[1] > 0);
}

/** The data of the loss / accuracy chart (changes with every metrics batch). */
export function curvesData(c: RunCurves, settings: CurveSettings, cursorEpoch: number | null): ChartOption {
  const keep = settings.logLoss ? positive : (p: Points) => p;
  const mark = (on: boolean) =>
    on && cursorEpoch !== null
      ? {
          markLine: {
            silent: true,
            symbol: 'none',
            label: { show: false },
            lineStyle: { type: 'dashed' },
            data: [{ xAxis: cursorEpoch }],
          },
        }
      : { markLine: { data: [] } };
  return {
    series: [
      { id: 'loss-batch', data: keep(c.stepLoss), ...mark(true) },
      { id: 'loss-smooth', data: keep(smoothPoints(c.stepLoss, settings.smoothing)) },
      ...SPLITS.map((s) => ({ id: `loss-${s}`, data: keep(c.loss[s]) })),
      { id: 'acc-batch', data: c.stepAcc, ...mark(true) },
      { id: 'acc-smooth', data: smoothPoints(c.stepAcc, settings.smoothing) },
      ...SPLITS.map((s) => ({ id: `acc-${s}`, data: c.acc[s] })),
    ],
  };
}

/** The dashed vertical line of the shared epoch cursor. */
function cursorMarkLine(epoch: number): ChartOption {
  return {
    silent: true,
    symbol: 'none',
    label: { show: false },
    lineStyle: { type: 'dashed' },
    data: [{ xAxis: epoch }],
  };
}

/** A simple line chart of named series over epochs (learning rate, agreement, extra scalars). */
export function linesOption(
  series: { name: string; data: Points }[],
  opts: { yName: string; log?: boolean; cursor?: number | null },
): ChartOption {
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { top: 0, type: 'scroll' } : { show: false },
    grid: { left: 56, right: 16, top: series.length > 1 ? 28 : 16, bottom: 32 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 22, min: 0, max: 'dataMax' },
    yAxis: { type: opts.log ? 'log' : 'value', name: opts.yName, scale: true },
    series: series.map((s, i) => ({
      id: s.name,
      name: s.name,
      type: 'line',
      showSymbol: s.data.length < 40,
      data: s.data,
      ...(i === 0 && opts.cursor !== undefined && opts.cursor !== null
        ? { markLine: cursorMarkLine(opts.cursor) }
        : {}),
    })),
  };
}

/**
 * The data of a {@link linesOption} chart, merged into it by series id. Charts fed by streaming
 * metrics take their layout from `linesOption` without data and this as their patch, so an event
 * does not rebuild them (nor drop the hover read-out).
 */
export function linesData(series: { name: string; data: Points }[], cursor: number | null): ChartOption {
  return {
    series: series.map((s, i) => ({
      id: s.name,
      showSymbol: s.data.length < 40,
      data: s.data,
      markLine: i === 0 && cursor !== null ? cursorMarkLine(cursor) : { data: [] },
    })),
  };
}
