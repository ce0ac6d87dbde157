import type { ChartOption } from './echarts';
import { HEAT_COLORS } from './palette';

/** A B×B matrix, row-major. */
export interface Matrix {
  size: number;
  values: readonly number[];
}

/** First index of each class block of class-sorted labels (for axis ticks). */
export function classStarts(labels: readonly number[]): Map<number, number> {
  const starts = new Map<number, number>();
  labels.forEach((l, i) => {
    if (i === 0 || labels[i - 1] !== l) starts.set(i, l);
  });
  return starts;
}

/** Smallest and largest value, ignoring the diagonal when asked (self-loops dwarf the rest). */
export function valueRange(m: Matrix, skipDiagonal: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m.size; i++) {
    for (let j = 0; j < m.size; j++) {
      if (skipDiagonal && i === j) continue;
      const v = m.values[i * m.size + j] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Number.isFinite(lo) ? [lo, hi > lo ? hi : lo + 1e-12] : [0, 1];
}

/** Heatmap cells `[column, row, value]`, row 0 at the top. */
export function heatCells(m: Matrix, absolute = false): [number, number, number][] {
  const out: [number, number, number][] = new Array<[number, number, number]>(m.size * m.size);
  for (let i = 0; i < m.size; i++) {
    for (let j = 0; j < m.size; j++) {
      const v = m.values[i * m.size + j] ?? 0;
      out[i * m.size + j] = [j, i, absolute ? Math.abs(v) : v];
    }
  }
  return out;
}

/** A class-ordered LGG heatmap, with class names at the start of each block. */
export function heatmapOption(
  m: Matrix,
  labels: readonly number[],
  opts: { absolute?: boolean; range?: [number, number]; classNames?: readonly string[] },
): ChartOption {
  const starts = classStarts(labels);
  const axisIndex = Array.from({ length: m.size }, (_, i) => i);
  const range =
    opts.range ?? valueRange(opts.absolute ? { size: m.size, values: m.values.map(Math.abs) } : m, true);
  const name = (i: number): string => {
    const l = starts.get(i);
    return l === undefined ? '' : (opts.classNames?.[l] ?? String(l));
  };
  const axis = (inverse: boolean) => ({
    type: 'category',
    data: axisIndex,
    inverse,
    axisTick: { interval: (i: number) => starts.has(i), alignWithLabel: true },
    axisLabel: {
      interval: (i: number) => starts.has(i),
      formatter: (v: string) => name(Number(v)),
      fontSize: 10,
    },
    splitLine: { show: false },
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `row ${p.value[1]} (class ${labels[p.value[1]] ?? '?'}) · col ${p.value[0]} (class ${labels[p.value[0]] ?? '?'})<br/>${p.value[2].toPrecision(4)}`,
    },
    grid: { left: 28, right: 12, top: 8, bottom: 44 },
    xAxis: axis(false),
    yAxis: axis(true),
    visualMap: {
      type: 'continuous',
      min: range[0],
      max: range[1],
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      inRange: { color: HEAT_COLORS },
      textStyle: { fontSize: 10 },
      formatter: (v: number) => v.toPrecision(2),
    },
    series: [
      {
        id: 'lgg',
        type: 'heatmap',
        data: heatCells(m, opts.absolute),
        progressive: 0,
        emphasis: { disabled: true },
      },
    ],
  };
}
