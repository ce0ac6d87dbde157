import { formatTick } from '../format.js';
import { base, categoryAxis, frame, legendOf, valueAxis, type AxisSpec } from './axes.js';
import { seriesColor } from './palette.js';
import type { ChartOption, Points } from './types.js';

/** Mean and standard deviation per x over several curves (seeds of one configuration). */
export interface BandStats {
  mean: Points;
  lo: Points;
  hi: Points;
  /** Sample standard deviation (n − 1) per x; 0 where one curve has a value. */
  std: Points;
  /** Curves that contributed. */
  n: number;
}

/**
 * Per-x mean ± sample standard deviation (n − 1, as the study report) of the curves that have a
 * value at x.
 */
export function bandStats(curves: readonly Points[]): BandStats {
  const byX = new Map<number, number[]>();
  for (const c of curves)
    for (const [x, y] of c) if (Number.isFinite(y)) (byX.get(x) ?? byX.set(x, []).get(x))?.push(y);
  const xs = [...byX.keys()].sort((a, b) => a - b);
  const out: BandStats = { mean: [], lo: [], hi: [], std: [], n: curves.length };
  for (const x of xs) {
    const ys = byX.get(x) ?? [];
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sd = ys.length > 1 ? Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / (ys.length - 1)) : 0;
    out.mean.push([x, m]);
    out.lo.push([x, m - sd]);
    out.hi.push([x, m + sd]);
    out.std.push([x, sd]);
  }
  return out;
}

/** One group of compared runs. */
export interface CurveGroup {
  /** Legend name. */
  name: string;
  /** One curve per run of the group. */
  curves: Points[];
  /** Colour of the group in every chart of the view. */
  color?: string;
}

/** The x of a band chart: a value axis, or named categories (layers) indexed 0, 1, …. */
export type BandX = { kind: 'value'; axis: AxisSpec } | { kind: 'category'; title: string; names: string[] };

/**
 * Overlaid curves, one colour per group: the mean line, and for groups of several runs a ± std
 * band (a transparent lower line plus a stacked area of height hi − lo, both under the group's
 * legend name so the legend toggles them together). The legend's entries carry the group colours
 * explicitly, and the tooltip reads mean ± std (n) per group.
 */
export function bandsOption(groups: readonly CurveGroup[], o: { x: BandX; y: AxisSpec }): ChartOption {
  const series: Record<string, unknown>[] = [];
  const stats = groups.map((g) => bandStats(g.curves));
  const colors = groups.map((g, i) => g.color ?? seriesColor(i));
  groups.forEach((g, i) => {
    const color = colors[i] ?? seriesColor(i);
    const s = stats[i] as BandStats;
    if (g.curves.length > 1) {
      const common = {
        name: g.name,
        type: 'line',
        stack: `band-${i}`,
        stackStrategy: 'all',
        showSymbol: false,
        silent: true,
        itemStyle: { color },
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
        z: 1,
      };
      series.push(
        { ...common, id: `${g.name}-lo`, data: s.lo },
        {
          ...common,
          id: `${g.name}-band`,
          data: s.hi.map(([x, y], k) => [x, y - (s.lo[k]?.[1] ?? y)]),
          areaStyle: { color, opacity: 0.22 },
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
      symbolSize: 6,
      z: 3,
    });
  });
  const names = groups.map((g) => g.name);
  const stdAt = stats.map((s) => new Map(s.std.map(([x, v]) => [x, v])));
  const tooltip = {
    trigger: 'axis',
    confine: true,
    formatter: (params: unknown) => {
      const list = (Array.isArray(params) ? params : [params]) as {
        seriesId?: string;
        seriesName?: string;
        value?: [number, number];
        marker?: string;
        axisValueLabel?: string;
      }[];
      const means = list.filter((p) => p.seriesId?.endsWith('-mean'));
      const head = means[0]?.axisValueLabel ?? '';
      const lines = means.map((p) => {
        const gi = names.indexOf(p.seriesName ?? '');
        const [x, y] = p.value ?? [0, Number.NaN];
        const sd = stdAt[gi]?.get(x);
        const n = groups[gi]?.curves.length ?? 1;
        return `${p.marker ?? ''}${p.seriesName ?? ''}: ${formatTick(y)}${n > 1 && sd !== undefined ? ` ± ${formatTick(sd)} (n = ${n})` : ''}`;
      });
      return [head, ...lines].join('<br/>');
    },
  };
  return {
    ...base(),
    tooltip,
    legend: legendOf(names, {
      data: groups.map((g, i) => ({
        name: g.name,
        itemStyle: { color: colors[i] },
        lineStyle: { color: colors[i], opacity: 1 },
      })),
    }),
    grid: frame({ legend: names.length > 1 }),
    xAxis:
      o.x.kind === 'value'
        ? valueAxis(o.x.axis, 'x')
        : categoryAxis(o.x.title, o.x.names, 'x', { boundaryGap: false }),
    yAxis: valueAxis(o.y, 'y'),
    series,
  };
}
