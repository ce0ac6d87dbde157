import type { Points } from './curves';
import type { ChartOption } from './echarts';
import { SERIES_COLORS } from './palette';

/** Mean and standard deviation per x over several curves (seeds of one configuration). */
export interface BandStats {
  mean: Points;
  lo: Points;
  hi: Points;
  /** Curves that contributed. */
  n: number;
}

/** Per-x mean ± population std of the curves that have a value at x. */
export function bandStats(curves: readonly Points[]): BandStats {
  const byX = new Map<number, number[]>();
  for (const c of curves)
    for (const [x, y] of c) if (Number.isFinite(y)) (byX.get(x) ?? byX.set(x, []).get(x))?.push(y);
  const xs = [...byX.keys()].sort((a, b) => a - b);
  const mean: Points = [];
  const lo: Points = [];
  const hi: Points = [];
  for (const x of xs) {
    const ys = byX.get(x) ?? [];
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sd = Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / ys.length);
    mean.push([x, m]);
    lo.push([x, m - sd]);
    hi.push([x, m + sd]);
  }
  return { mean, lo, hi, n: curves.length };
}

/** One group of compared runs. */
export interface CurveGroup {
  /** Legend name. */
  name: string;
  /** One curve per run of the group. */
  curves: Points[];
}

/**
 * Overlaid curves: single runs as lines, groups of several seeds as their mean with a ± std band
 * (drawn as a transparent lower line plus a stacked area of height hi − lo).
 */
export function bandsOption(groups: readonly CurveGroup[], yName: string): ChartOption {
  const series: object[] = [];
  groups.forEach((g, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const s = bandStats(g.curves);
    if (g.curves.length > 1) {
      series.push(
        {
          id: `${g.name}-lo`,
          name: g.name,
          type: 'line',
          stack: `band-${i}`,
          data: s.lo,
          lineStyle: { opacity: 0 },
          showSymbol: false,
          silent: true,
          tooltip: { show: false },
        },
        {
          id: `${g.name}-band`,
          name: g.name,
          type: 'line',
          stack: `band-${i}`,
          data: s.hi.map(([x, y], k) => [x, y - (s.lo[k]?.[1] ?? y)]),
          lineStyle: { opacity: 0 },
          areaStyle: { color, opacity: 0.2 },
          showSymbol: false,
          silent: true,
          tooltip: { show: false },
        },
      );
    }
    series.push({
      id: `${g.name}-mean`,
      name: g.name,
      type: 'line',
      data: s.mean,
      itemStyle: { color },
      lineStyle: { color, width: 2 },
      showSymbol: s.mean.length < 30,
    });
  });
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 56, right: 16, top: 32, bottom: 40 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 22, min: 0, max: 'dataMax' },
    yAxis: { type: 'value', name: yName, scale: true },
    dataZoom: [{ type: 'inside', filterMode: 'none' }],
    series,
  };
}
