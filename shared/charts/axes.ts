// Axes, legends and plot frames every builder shares. Two rules keep text from colliding:
// axis titles sit beside their axis (centred, not at the end where the legend is), and the grid's
// outer bounds hold the tick labels and titles (ECharts ≥ 6 shrinks the plot to fit them), so
// nothing is drawn outside the box the builder reserves.
import { formatTick } from '../format.js';
import type { ChartOption } from './types.js';

/** What an axis shows. */
export interface AxisSpec {
  /** Title with its unit (e.g. `test accuracy (%)`, `ε`, `epoch`). */
  title: string;
  /** Whole-number ticks only (epochs, steps, bits). */
  integer?: boolean;
  /** Logarithmic scale. */
  log?: boolean;
  /** Fit the range to the data instead of including 0. */
  fit?: boolean;
  /** Fixed lower end. */
  min?: number;
  /** Fixed upper end. */
  max?: number;
  /** Upper end rounded up to a whole number (epoch axes end at the last epoch, not at 3.0000004). */
  ceilMax?: boolean;
}

/** Height reserved above a plot for a one-line (scrolling) legend, px. */
export const LEGEND_HEIGHT = 26;

/** Tick labels: never float noise, overlapping ones hidden. */
export function tickLabels(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { formatter: (v: number) => formatTick(v), hideOverlap: true, fontSize: 10, ...extra };
}

/** A value axis (`dim` says where its title goes). */
export function valueAxis(a: AxisSpec, dim: 'x' | 'y', extra: Record<string, unknown> = {}): ChartOption {
  return {
    type: a.log ? 'log' : 'value',
    name: a.title,
    nameLocation: 'middle',
    nameGap: dim === 'x' ? 24 : 36,
    nameTextStyle: { fontSize: 11 },
    scale: a.fit ?? false,
    ...(a.integer ? { minInterval: 1 } : {}),
    ...(a.min !== undefined ? { min: a.min } : {}),
    ...(a.max !== undefined
      ? { max: a.max }
      : a.ceilMax
        ? { max: (v: { max: number }) => Math.max(1, Math.ceil(v.max - 1e-9)) }
        : {}),
    axisLabel: tickLabels(),
    splitLine: { lineStyle: { opacity: 0.5 } },
    ...extra,
  };
}

/** A category axis of names (layers, methods), labels rotated when they would not fit. */
export function categoryAxis(
  title: string,
  names: readonly string[],
  dim: 'x' | 'y',
  extra: Record<string, unknown> = {},
): ChartOption {
  const long = names.length > 8 || names.some((n) => n.length > 12);
  return {
    type: 'category',
    data: [...names],
    name: title,
    nameLocation: 'middle',
    nameGap: dim === 'x' ? (long ? 48 : 24) : 56,
    nameTextStyle: { fontSize: 11 },
    axisLabel: { fontSize: 10, hideOverlap: true, ...(dim === 'x' && long ? { rotate: 35 } : {}) },
    ...extra,
  };
}

/** A legend listing `names` when there are several series (or `always`); hidden otherwise. */
export function legendOf(
  names: readonly string[],
  extra: Record<string, unknown> = {},
  always = false,
): ChartOption {
  if (names.length < (always ? 1 : 2)) return { show: false };
  return {
    show: true,
    type: 'scroll',
    top: 0,
    left: 'center',
    data: [...names],
    itemWidth: 18,
    itemHeight: 9,
    textStyle: { fontSize: 11 },
    ...extra,
  };
}

/**
 * The plot frame: the grid's box holds the plot, its tick labels and axis titles (ECharts'
 * `outerBoundsMode: 'same'`), starting below the legend when there is one.
 */
export function frame(
  o: { legend: boolean; top?: number; bottom?: number; left?: number; right?: number } = { legend: false },
): ChartOption {
  return {
    left: o.left ?? 6,
    right: o.right ?? 14,
    top: (o.top ?? 0) + (o.legend ? LEGEND_HEIGHT + 4 : 10),
    bottom: o.bottom ?? 6,
    outerBoundsMode: 'same',
    outerBoundsContain: 'all',
  };
}

/** The parts every option starts with. */
export function base(): ChartOption {
  return { backgroundColor: 'transparent', animation: false };
}

/** Tooltip values with 4 significant digits. */
export function axisTooltip(format: (v: number) => string = formatTick): ChartOption {
  return {
    trigger: 'axis',
    confine: true,
    valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : String(v)),
  };
}

/**
 * A title inside the chart (figures exported for a paper have no panel around them): the legend
 * and the plot move down to make room.
 */
export function withTitle(option: ChartOption, text: string, subtext?: string): ChartOption {
  const shift = subtext ? 40 : 26;
  const move = (x: unknown): unknown => {
    if (!x || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(move);
    const o = x as Record<string, unknown>;
    return typeof o.top === 'number' ? { ...o, top: o.top + shift } : o;
  };
  return {
    ...option,
    title: {
      text,
      ...(subtext ? { subtext } : {}),
      left: 'center',
      top: 0,
      textStyle: { fontSize: 14, fontWeight: 'bold' },
      subtextStyle: { fontSize: 11 },
    },
    legend: move(option.legend),
    grid: move(option.grid),
    ...(option.visualMap && (option.visualMap as { top?: unknown }).top !== undefined
      ? { visualMap: move(option.visualMap) }
      : {}),
    ...(option.series && Array.isArray(option.series)
      ? {
          series: (option.series as Record<string, unknown>[]).map((s) =>
            s.type === 'graph' ? (move(s) as Record<string, unknown>) : s,
          ),
        }
      : {}),
  };
}
