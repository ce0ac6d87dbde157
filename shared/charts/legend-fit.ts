// A legend that wraps instead of scrolling. ECharts' scrolling legend clips the item at its edge
// mid-word ("clas|"), and a plain legend wraps onto rows the plot does not know of. Given the
// width a chart is drawn at, the legend's rows are counted (from a generous estimate of the text
// width) and the plot moved down by the rows it needs, before ECharts draws anything.
import { LEGEND_HEIGHT } from './axes.js';
import type { ChartOption } from './types.js';

type Obj = Record<string, unknown>;

/** Estimated width of a text at a font size, px: generous (wide letters, bold), never short. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    if (/[\u2E80-\uFFFF]/.test(ch) && !/[\u2000-\u206F\u2100-\u22FF]/.test(ch)) em += 1;
    else if (/[MWmw@%]/.test(ch)) em += 0.9;
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[il.,:;|!' ]/.test(ch)) em += 0.34;
    else em += 0.6;
  }
  return em * fontSize;
}

const ROW_HEIGHT = 14;
const ROW_GAP = 10;
const PADDING = 5;

/** Rows a horizontal legend of `names` needs in `width` px (ECharts' item geometry). */
export function legendRows(
  names: readonly string[],
  width: number,
  o: { fontSize?: number; itemWidth?: number; itemGap?: number } = {},
): number {
  const fontSize = o.fontSize ?? 11;
  const icon = (o.itemWidth ?? 18) + 5;
  const gap = o.itemGap ?? 10;
  const avail = Math.max(60, width - 2 * PADDING);
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = icon + textWidth(n, fontSize);
    if (x > 0 && x + w > avail) {
      rows++;
      x = 0;
    }
    x += w + gap;
  }
  return rows;
}

/** Height of a legend with that many rows, px. */
export function legendHeight(rows: number): number {
  return rows * ROW_HEIGHT + (rows - 1) * ROW_GAP + 2 * PADDING;
}

function shiftTop(x: unknown, by: number): unknown {
  if (!x || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((e) => shiftTop(e, by));
  const o = x as Obj;
  return typeof o.top === 'number' ? { ...o, top: o.top + by } : o;
}

/** Rows the option's legend takes at `width` px (0 without a shown legend). */
export function legendRowsFor(option: ChartOption, width: number): number {
  const legend = option.legend as Obj | undefined;
  if (!legend || Array.isArray(legend) || legend.show === false || !Array.isArray(legend.data)) return 0;
  const names = (legend.data as unknown[]).map((d) => {
    const name = typeof d === 'string' ? d : (d as Obj).name;
    return typeof name === 'string' ? name : '';
  });
  const side = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return legendRows(names, width - side(legend.left) - side(legend.right), {
    fontSize: side((legend.textStyle as Obj | undefined)?.fontSize) || 11,
    itemWidth: side(legend.itemWidth) || 18,
  });
}

/**
 * The option with its legend laid out for `width` px: a plain (wrapping) legend, and everything
 * placed below the legend (grids, a graph's box, a colour bar at the top) moved down by the rows
 * beyond the first. Options without a shown legend are returned as they are.
 */
export function fitLegend(option: ChartOption, width: number): ChartOption {
  const rows = legendRowsFor(option, width);
  if (rows === 0) return option;
  const legend = option.legend as Obj;
  const side = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const extra = Math.max(0, legendHeight(rows) - LEGEND_HEIGHT + 2);
  const top = side(legend.top);
  const below = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(below);
    const o = x as Obj | undefined;
    return o && typeof o.top === 'number' && o.top >= top ? shiftTop(o, extra) : o;
  };
  return {
    ...option,
    legend: { ...legend, type: 'plain' },
    ...(extra > 0
      ? {
          grid: below(option.grid),
          ...(Array.isArray(option.series)
            ? { series: (option.series as Obj[]).map((s) => (s.type === 'graph' ? (below(s) as Obj) : s)) }
            : {}),
        }
      : {}),
  };
}
