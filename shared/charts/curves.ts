import type { EpochRecord, MetricsRecord, StepRecord } from '../run-types.js';
import { axisTooltip, base, legendOf, LEGEND_HEIGHT, valueAxis, type AxisSpec } from './axes.js';
import { cursorMarkLine } from './lines.js';
import { ema } from './smoothing.js';
import type { ChartOption, Points } from './types.js';

/** What the x axis of a run's curves counts. */
export type CurveX = 'epoch' | 'step';

/** The curves of one run. */
export interface RunCurves {
  /**
   * `epoch`: x = step / steps-per-epoch, so epoch e ends at x = e. `step`: optimiser steps, when
   * the steps per epoch are not known (a run stopped inside its first epoch).
   */
  x: CurveX;
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

/** The x axis of a curve quantity. */
export function curveAxis(x: CurveX): AxisSpec {
  return x === 'epoch'
    ? { title: 'epoch', min: 0, ceilMax: true }
    : { title: 'optimiser step', min: 0, integer: true };
}

/**
 * Steps per epoch: from an epoch record (exact), else what the caller knows (live progress, the
 * spec), else null — then curves are drawn over steps, never over a guessed epoch.
 */
export function stepsPerEpochOf(
  records: readonly MetricsRecord[],
  known: number | null | undefined,
): number | null {
  const first = records.find((r): r is EpochRecord => r.type === 'epoch');
  if (first && first.step > 0) return first.step / first.epoch;
  return known && known > 0 ? known : null;
}

/** Splits metrics lines into chart series on an epoch axis (or a step axis, see {@link RunCurves.x}). */
export function runCurves(
  records: readonly MetricsRecord[],
  stepsPerEpoch: number | null | undefined,
): RunCurves {
  const spe = stepsPerEpochOf(records, stepsPerEpoch);
  const at = (step: number): number => (spe ? step / spe : step);
  const c: RunCurves = {
    x: spe ? 'epoch' : 'step',
    stepLoss: [],
    stepAcc: [],
    loss: { train: [], val: [], test: [] },
    acc: { train: [], val: [], test: [] },
    lr: [],
    extra: {},
  };
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  for (const r of steps) {
    const x = at(r.step);
    c.stepLoss.push([x, r.loss]);
    c.stepAcc.push([x, r.acc]);
    c.lr.push([x, r.lr]);
  }
  for (const r of records) {
    if (r.type !== 'epoch') continue;
    const x = spe ? r.epoch : r.step;
    for (const split of ['train', 'val', 'test'] as const) {
      const m = r[split];
      if (!m) continue;
      c.loss[split].push([x, m.loss]);
      c.acc[split].push([x, m.acc]);
    }
    if (steps.length === 0) c.lr.push([x, r.lr]);
    for (const [name, v] of Object.entries(r.test)) {
      if (name === 'loss' || name === 'acc' || typeof v !== 'number') continue;
      (c.extra[name] ??= []).push([x, v]);
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
/** Colours of the loss / accuracy chart's series (the legend shows these). */
export const CURVE_COLORS: Record<string, string> = {
  batch: '#9aa4b2',
  'batch (smoothed)': '#4e79a7',
  train: '#59a14f',
  val: '#edc948',
  test: '#e15759',
};

/** Which splits a run's curves have, in order. */
export function splitsOf(c: RunCurves): ('train' | 'val' | 'test')[] {
  return SPLITS.filter((s) => c.loss[s].length > 0);
}

/**
 * The layout of the loss / accuracy chart (changes rarely): two plots sharing the x quantity,
 * loss above, accuracy (%) below; a legend of the series present; a zoom slider.
 */
export function curvesBase(
  settings: CurveSettings,
  o: { x: CurveX; splits: readonly ('train' | 'val' | 'test')[] } = { x: 'epoch', splits: SPLITS },
): ChartOption {
  const series = [0, 1].flatMap((grid) => {
    const what = grid === 0 ? 'loss' : 'acc';
    const style = (name: string) => ({
      itemStyle: { color: CURVE_COLORS[name] },
      lineStyle: { color: CURVE_COLORS[name], width: name === 'batch' ? 1 : 1.6 },
    });
    return [
      {
        id: `${what}-batch`,
        name: 'batch',
        type: 'line',
        xAxisIndex: grid,
        yAxisIndex: grid,
        showSymbol: false,
        ...style('batch'),
        lineStyle: { color: CURVE_COLORS.batch, width: 1, opacity: 0.35 },
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
        ...style('batch (smoothed)'),
        z: 2,
      },
      ...o.splits.map((s) => ({
        id: `${what}-${s}`,
        name: s,
        type: 'line',
        xAxisIndex: grid,
        yAxisIndex: grid,
        symbolSize: 5,
        ...style(s),
        z: 3,
      })),
    ];
  });
  const xSpec = curveAxis(o.x);
  return {
    ...base(),
    tooltip: axisTooltip(),
    legend: legendOf(['batch', 'batch (smoothed)', ...o.splits]),
    grid: [
      {
        left: 6,
        right: 14,
        top: LEGEND_HEIGHT + 4,
        height: '34%',
        outerBoundsMode: 'same',
        outerBoundsContain: 'all',
      },
      { left: 6, right: 14, top: '56%', bottom: 30, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    ],
    xAxis: [
      valueAxis({ ...xSpec, title: '' }, 'x', { gridIndex: 0 }),
      valueAxis(xSpec, 'x', { gridIndex: 1 }),
    ],
    yAxis: [
      valueAxis({ title: 'loss', fit: true, log: settings.logLoss }, 'y', { gridIndex: 0 }),
      valueAxis({ title: 'accuracy (%)', max: 100 }, 'y', {
        gridIndex: 1,
        min: (v: { min: number }) => Math.max(0, Math.floor(v.min / 10) * 10),
      }),
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1], filterMode: 'none' },
      { type: 'slider', xAxisIndex: [0, 1], height: 14, bottom: 4, filterMode: 'none', labelFormatter: '' },
    ],
    series,
  };
}

function positive(points: Points): Points {
  return points.filter((p) => p[1] > 0);
}

const percent = (points: Points): Points => points.map(([x, y]) => [x, 100 * y]);

/**
 * The data of the loss / accuracy chart (changes with every metrics batch); accuracy in %. Its
 * splits must be those the layout ({@link curvesBase}) was built with: both come from
 * {@link splitsOf} of the same curves.
 */
export function curvesData(c: RunCurves, settings: CurveSettings, cursorEpoch: number | null): ChartOption {
  const keep = settings.logLoss ? positive : (p: Points) => p;
  const mark =
    cursorEpoch !== null && c.x === 'epoch'
      ? { markLine: cursorMarkLine(cursorEpoch) }
      : { markLine: { data: [] } };
  return {
    series: [
      { id: 'loss-batch', data: keep(c.stepLoss), ...mark },
      { id: 'loss-smooth', data: keep(smoothPoints(c.stepLoss, settings.smoothing)) },
      ...splitsOf(c).map((s) => ({ id: `loss-${s}`, data: keep(c.loss[s]) })),
      { id: 'acc-batch', data: percent(c.stepAcc), ...mark },
      { id: 'acc-smooth', data: percent(smoothPoints(c.stepAcc, settings.smoothing)) },
      ...splitsOf(c).map((s) => ({ id: `acc-${s}`, data: percent(c.acc[s]) })),
    ],
  };
}
