import { axisTitle, formatMeanStd, formatMetricValue, metricDef, unitScale } from '../metrics.js';
import { PAPER_REFERENCES } from '../paper-reference.js';
import { base, categoryAxis, frame, valueAxis } from './axes.js';
import type { RunGroup } from './compare.js';
import type { ChartOption } from './types.js';

/** A run's final value of a metric key (report fields, then report metrics). */
export function finalValue(run: RunGroup['runs'][number], key: string): number | undefined {
  const r = run.detail.report;
  if (!r) return undefined;
  const top: Record<string, number> = {
    testAcc: r.testAcc,
    bestTestAcc: r.bestTestAcc,
    testLoss: r.testLoss,
    seconds: r.seconds,
  };
  const v = top[key] ?? r.metrics[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The paper's figure of a metric for a group, when every run of the group came from the same paper
 * preset and method (PAPER_REFERENCES); undefined otherwise.
 */
export function paperFigure(group: RunGroup, key: string): number | undefined {
  const specs = group.runs.map((r) => r.detail.spec);
  const preset = specs[0]?.preset;
  const method = specs[0]?.method;
  if (!preset || specs.some((s) => s.preset !== preset || s.method !== method)) return undefined;
  const v = PAPER_REFERENCES[preset]?.values.find((x) => x.metric === key)?.byMethod[method ?? ''];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/**
 * A final metric per group: a bar at the mean in the group's colour, a ± std whisker (sample std,
 * as the study report) and each run's value as a dot, so three seeds show as three seeds. The
 * value axis fits the data (differences of a few tenths of a percent are the point); its title
 * names the metric and its unit. Groups run from a paper preset show the paper's figure as a
 * hollow diamond ("paper" in the legend).
 */
export function finalBarsOption(groups: readonly RunGroup[], key: string): ChartOption {
  const def = metricDef(key);
  const scale = unitScale(def.unit);
  const stats = groups.map((g) => {
    const xs = g.runs.map((r) => finalValue(r, key)).filter((v): v is number => v !== undefined);
    return { xs: xs.map((v) => v * scale), ...meanStd(xs.map((v) => v * scale)) };
  });
  const labels = groups.map((g) => g.label);
  const paper = groups.map((g) => paperFigure(g, key));
  /** Group index of each point of the paper series. */
  const paperAt = paper.flatMap((v, i) => (v === undefined ? [] : [i]));
  const hasPaper = paperAt.length > 0;
  const whiskers = groups.flatMap((g, i) => {
    const s = stats[i];
    if (!s || s.xs.length < 2) return [];
    return [
      {
        id: `std-${g.key}`,
        type: 'line',
        data: [
          [i, s.mean - s.std],
          [i, s.mean + s.std],
        ],
        symbol: 'rect',
        symbolSize: [12, 2],
        itemStyle: { color: '#333' },
        lineStyle: { color: '#333', width: 1.5 },
        silent: true,
        tooltip: { show: false },
        z: 4,
      },
    ];
  });
  return {
    ...base(),
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { dataIndex: number; seriesId?: string }) => {
        if (p.seriesId === 'paper') {
          const at = paperAt[p.dataIndex] ?? -1;
          return `${labels[at] ?? ''}<br/>paper: ${formatMetricValue(def.unit, paper[at])}`;
        }
        const i =
          p.seriesId === 'mean'
            ? p.dataIndex
            : labels.findIndex((_, k) => p.seriesId === `runs-${groups[k]?.key}`);
        const s = stats[i];
        return s
          ? `${labels[i] ?? ''}<br/>${formatMeanStd(def.unit, s.mean / scale, s.xs.length > 1 ? s.std / scale : Number.NaN)} (n = ${s.xs.length})`
          : '';
      },
    },
    legend: hasPaper
      ? {
          show: true,
          top: 0,
          itemWidth: 13,
          itemHeight: 13,
          data: [
            {
              name: 'paper',
              icon: 'diamond',
              itemStyle: { color: '#fff', borderColor: '#111', borderWidth: 1.5 },
            },
          ],
        }
      : { show: false },
    grid: frame({ legend: hasPaper }),
    xAxis: categoryAxis(groups.length > 1 ? 'method' : '', labels, 'x'),
    yAxis: valueAxis({ title: axisTitle(def.label, def.unit), fit: true }, 'y'),
    series: [
      {
        id: 'mean',
        type: 'bar',
        barMaxWidth: 48,
        data: stats.map((s, i) => ({
          value: s.xs.length > 0 ? s.mean : null,
          itemStyle: { color: groups[i]?.color, opacity: 0.75 },
        })),
        z: 2,
      },
      ...whiskers,
      ...groups.map((g, i) => ({
        id: `runs-${g.key}`,
        type: 'scatter',
        data: (stats[i]?.xs ?? []).map((v) => [i, v]),
        symbolSize: 6,
        itemStyle: { color: '#222', opacity: 0.8 },
        z: 5,
      })),
      ...(hasPaper
        ? [
            {
              id: 'paper',
              name: 'paper',
              type: 'scatter',
              data: paperAt.map((i) => [i, (paper[i] ?? 0) * scale]),
              symbol: 'diamond',
              symbolSize: 13,
              itemStyle: { color: '#fff', borderColor: '#111', borderWidth: 1.5 },
              z: 6,
            },
          ]
        : []),
    ],
  };
}

/** The metrics a figure set or Compare draws bars of: test accuracy, then the kind's key metrics present. */
export function finalMetricKeys(groups: readonly RunGroup[]): string[] {
  const runs = groups.flatMap((g) => g.runs);
  const keys = ['testAcc'];
  for (const r of runs)
    for (const k of Object.keys(r.detail.report?.metrics ?? {})) {
      const d = metricDef(k);
      if (keys.includes(k) || k === 'acc' || !d.direction || d.group === 'training') continue;
      keys.push(k);
    }
  return keys;
}
