import { formatTick } from '../format.js';
import { base } from './axes.js';
import { HEAT_COLORS, sequentialRgb } from './palette.js';
import type { ChartOption } from './types.js';

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

/** Class-block axes of a class-sorted matrix: a tick and the class name at each block's start. */
function classAxis(
  labels: readonly number[],
  classNames: readonly string[] | undefined,
  inverse: boolean,
  gridIndex = 0,
): ChartOption {
  const starts = classStarts(labels);
  const name = (i: number): string => {
    const l = starts.get(i);
    return l === undefined ? '' : (classNames?.[l] ?? String(l));
  };
  return {
    type: 'category',
    gridIndex,
    data: Array.from({ length: labels.length }, (_, i) => i),
    inverse,
    axisTick: { interval: (i: number) => starts.has(i), alignWithLabel: true },
    axisLabel: {
      interval: (i: number) => starts.has(i),
      formatter: (v: string) => name(Number(v)),
      fontSize: 10,
    },
    splitLine: { show: false },
  };
}

function cellTooltip(labels: readonly number[], classNames?: readonly string[]): ChartOption {
  const cls = (i: number) => {
    const l = labels[i];
    return l === undefined ? '?' : (classNames?.[l] ?? String(l));
  };
  return {
    confine: true,
    formatter: (p: { value: [number, number, number] }) =>
      `row ${p.value[1]} (class ${cls(p.value[1])}) · col ${p.value[0]} (class ${cls(p.value[0])})<br/>${formatTick(p.value[2])}`,
  };
}

/** A horizontal colour bar whose ends carry the values (a continuous bar shows no other numbers). */
function colorBar(
  range: [number, number],
  valueName: string | undefined,
  place: Record<string, unknown>,
): ChartOption {
  return {
    type: 'continuous',
    min: range[0],
    max: range[1],
    calculable: false,
    orient: 'horizontal',
    itemHeight: 110,
    itemWidth: 10,
    inRange: { color: HEAT_COLORS },
    text: [formatTick(range[1]), `${valueName ? `${valueName}  ` : ''}${formatTick(range[0])}`],
    textGap: 6,
    textStyle: { fontSize: 10 },
    ...place,
  };
}

/**
 * A class-ordered LGG heatmap, with class names at the start of each block and a colour bar whose
 * ends carry their values (the diagonal is left out of the range: self-loops dwarf the rest).
 */
export function heatmapOption(
  m: Matrix,
  labels: readonly number[],
  opts: {
    absolute?: boolean;
    range?: [number, number];
    classNames?: readonly string[];
    /** Name of the values on the colour bar (e.g. `edge weight`, `|A_T − A_S|`). */
    valueName?: string;
  },
): ChartOption {
  const range =
    opts.range ?? valueRange(opts.absolute ? { size: m.size, values: m.values.map(Math.abs) } : m, true);
  return {
    ...base(),
    tooltip: cellTooltip(labels, opts.classNames),
    grid: { left: 6, right: 10, top: 8, bottom: 34, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    xAxis: classAxis(labels, opts.classNames, false),
    yAxis: classAxis(labels, opts.classNames, true),
    visualMap: colorBar(range, opts.valueName, { left: 'center', bottom: 0 }),
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

/** One matrix of a row of heatmaps. */
export interface HeatPanel {
  /** Title above it (e.g. `teacher`, `student (gkd)`, `|A_T − A_S|`). */
  title: string;
  matrix: Matrix;
  /** Draw |values|. */
  absolute?: boolean;
  /** Colour range; panels with the same range share one scale. */
  range?: [number, number];
  /** Name of the values on its colour bar. */
  valueName?: string;
}

/** An RGBA image, row-major (what a canvas's ImageData or a PNG encoder takes). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Encodes pixels as an image URL (`data:image/png;base64,…`): the platform's PNG encoder. */
export type RasterEncoder = (p: Pixels) => string;

/**
 * A matrix as `side`×`side` pixels, each cell a block of the heatmap's colour (nearest neighbour,
 * so cells stay sharp when the figure is scaled), row 0 at the top.
 */
export function matrixPixels(m: Matrix, range: [number, number], absolute: boolean, side: number): Pixels {
  const data = new Uint8ClampedArray(side * side * 4);
  const span = range[1] - range[0] || 1;
  for (let py = 0; py < side; py++) {
    const i = Math.min(m.size - 1, Math.floor((py * m.size) / side));
    for (let px = 0; px < side; px++) {
      const j = Math.min(m.size - 1, Math.floor((px * m.size) / side));
      const raw = m.values[i * m.size + j] ?? 0;
      const [r, g, b] = sequentialRgb(((absolute ? Math.abs(raw) : raw) - range[0]) / span);
      const o = 4 * (py * side + px);
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return { width: side, height: side, data };
}

/** Side of one heatmap panel of a figure row, px. */
export const HEAT_PANEL_SIZE = 300;
const HEAT_GAP = 56;
const HEAT_TOP = 34;

const HEAT_TITLE = 26;

/** Width and height of a {@link heatmapRowOption} figure with `n` panels, px. */
export function heatmapRowSize(n: number, titled = false): { width: number; height: number } {
  return {
    width: n * (HEAT_PANEL_SIZE + HEAT_GAP) + 16,
    height: HEAT_TOP + HEAT_PANEL_SIZE + 84 + (titled ? HEAT_TITLE : 0),
  };
}

/**
 * Heatmaps side by side (teacher | student | difference), each square, titled, with its colour bar;
 * `title` adds a line above them all. With `raster`, each matrix is one embedded image under
 * vector axes (as a plotting library's imshow in SVG): a 100×100 LGG as 10,000 vector cells would
 * make a 5 MB file.
 */
export function heatmapRowOption(
  panels: readonly HeatPanel[],
  labels: readonly number[],
  classNames?: readonly string[],
  title?: string,
  raster?: RasterEncoder,
): ChartOption {
  const x0 = (i: number) => 40 + i * (HEAT_PANEL_SIZE + HEAT_GAP);
  const top = HEAT_TOP + (title ? HEAT_TITLE : 0);
  const ranges = panels.map(
    (p) =>
      p.range ??
      valueRange(
        p.absolute ? { size: p.matrix.size, values: p.matrix.values.map(Math.abs) } : p.matrix,
        true,
      ),
  );
  return {
    ...base(),
    title: [
      ...(title ? [{ text: title, left: 'center', top: 0, textStyle: { fontSize: 12 } }] : []),
      ...panels.map((p, i) => ({
        text: p.title,
        left: x0(i) + HEAT_PANEL_SIZE / 2,
        top: top - 28,
        textAlign: 'center',
        textStyle: { fontSize: 13, fontWeight: 'bold' },
      })),
    ],
    tooltip: cellTooltip(labels, classNames),
    grid: panels.map((_, i) => ({ left: x0(i), top, width: HEAT_PANEL_SIZE, height: HEAT_PANEL_SIZE })),
    xAxis: panels.map((_, i) => classAxis(labels, classNames, false, i)),
    yAxis: panels.map((_, i) => classAxis(labels, classNames, true, i)),
    visualMap: panels.map((p, i) =>
      colorBar(ranges[i] ?? [0, 1], p.valueName, {
        seriesIndex: raster ? [] : i,
        left: x0(i) + HEAT_PANEL_SIZE / 2 - 70,
        top: top + HEAT_PANEL_SIZE + 30,
      }),
    ),
    ...(raster
      ? {
          graphic: panels.map((p, i) => ({
            type: 'image',
            left: x0(i),
            top,
            z: -1,
            style: {
              image: raster(
                matrixPixels(p.matrix, ranges[i] ?? [0, 1], p.absolute ?? false, HEAT_PANEL_SIZE),
              ),
              width: HEAT_PANEL_SIZE,
              height: HEAT_PANEL_SIZE,
            },
          })),
          series: [],
        }
      : {
          series: panels.map((p, i) => ({
            id: `lgg-${i}`,
            type: 'heatmap',
            xAxisIndex: i,
            yAxisIndex: i,
            data: heatCells(p.matrix, p.absolute),
            progressive: 0,
            emphasis: { disabled: true },
          })),
        }),
  };
}
