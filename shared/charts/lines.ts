import { axisTitle, metricDef, unitScale, type MetricUnit } from '../metrics.js';
import { axisTooltip, base, frame, legendOf, valueAxis, type AxisSpec } from './axes.js';
import { seriesColor } from './palette.js';
import type { ChartOption, NamedPoints, Points } from './types.js';

/** A line of a chart. */
export interface LineSeries extends NamedPoints {
  /** Stable id for data patches (defaults to the name). */
  id?: string;
  /** Colour; defaults to the palette by position. */
  color?: string;
  /** Dashed line. */
  dashed?: boolean;
  /** Which y axis (0 left, 1 right). */
  yAxis?: 0 | 1;
  /** Line width, px. */
  width?: number;
  /** Line opacity. */
  opacity?: number;
}

/** The dashed vertical line of the shared epoch cursor. */
export function cursorMarkLine(x: number): ChartOption {
  return {
    silent: true,
    symbol: 'none',
    label: { show: false },
    lineStyle: { type: 'dashed' },
    data: [{ xAxis: x }],
  };
}

function showSymbols(data: Points): boolean {
  return data.length < 40;
}

/**
 * Named lines over one x quantity, one or two y axes: a legend when there are several, every
 * series' colour given explicitly (so the legend shows the colour drawn).
 */
export function linesOption(
  series: readonly LineSeries[],
  o: { x: AxisSpec; y: AxisSpec | readonly AxisSpec[]; cursor?: number | null },
): ChartOption {
  const ys = Array.isArray(o.y) ? (o.y as AxisSpec[]) : [o.y as AxisSpec];
  const names = [...new Set(series.map((s) => s.name))];
  return {
    ...base(),
    tooltip: axisTooltip(),
    legend: legendOf(names),
    grid: frame({ legend: names.length > 1 }),
    xAxis: valueAxis(o.x, 'x'),
    yAxis: ys.map((y, i) =>
      valueAxis(y, 'y', i === 1 ? { position: 'right', splitLine: { show: false } } : {}),
    ),
    series: series.map((s, i) => {
      const color = s.color ?? seriesColor(i);
      return {
        id: s.id ?? s.name,
        name: s.name,
        type: 'line',
        yAxisIndex: s.yAxis ?? 0,
        data: s.data,
        showSymbol: showSymbols(s.data),
        symbolSize: 5,
        itemStyle: { color },
        lineStyle: {
          color,
          width: s.width ?? 1.8,
          opacity: s.opacity ?? 1,
          ...(s.dashed ? { type: 'dashed' } : {}),
        },
        ...(i === 0 && o.cursor !== undefined && o.cursor !== null
          ? { markLine: cursorMarkLine(o.cursor) }
          : {}),
      };
    }),
  };
}

/**
 * The data of a {@link linesOption} chart, merged into it by series id: charts fed by streaming
 * metrics keep their layout and take this as their patch, so an event does not rebuild them (nor
 * drop the hover read-out).
 */
export function linesData(series: readonly LineSeries[], cursor: number | null): ChartOption {
  return {
    series: series.map((s, i) => ({
      id: s.id ?? s.name,
      showSymbol: showSymbols(s.data),
      data: s.data,
      markLine: i === 0 && cursor !== null ? cursorMarkLine(cursor) : { data: [] },
    })),
  };
}

/** Series of stored metric values placed on axes by unit (fractions in %, at most two units). */
export interface MetricLines {
  /** The series, values scaled to their axis. */
  series: LineSeries[];
  /** One y axis per unit (left, then right). */
  y: AxisSpec[];
}

function unitTitle(unit: MetricUnit, keys: readonly string[]): string {
  if (keys.length === 1) return axisTitle(metricDef(keys[0] ?? '').label, unit);
  if (unit === 'fraction') return axisTitle('accuracy', unit);
  return keys.map((k) => metricDef(k).short).join(', ');
}

/**
 * Lines of named metrics (e.g. the extra scalars of the test split): each key's label from the
 * metric registry, its values scaled to the shown unit, one y axis per unit. A fraction axis runs
 * to 100 % from the decade below the data; three or more units are not mixed on one chart, the
 * extra ones are left out (callers split such sets).
 */
export function metricLines(entries: readonly { key: string; data: Points }[]): MetricLines {
  const units: MetricUnit[] = [];
  for (const e of entries) {
    const u = metricDef(e.key).unit;
    if (!units.includes(u)) units.push(u);
  }
  const kept = units.slice(0, 2);
  const series: LineSeries[] = [];
  const y: AxisSpec[] = kept.map((unit) => {
    const mine = entries.filter((e) => metricDef(e.key).unit === unit);
    const scale = unitScale(unit);
    const values = mine.flatMap((e) => e.data.map((p) => p[1] * scale)).filter(Number.isFinite);
    const lo = values.length > 0 ? Math.min(...values) : 0;
    return unit === 'fraction'
      ? {
          title: unitTitle(
            unit,
            mine.map((e) => e.key),
          ),
          min: Math.max(0, Math.floor(lo / 10) * 10),
          max: 100,
        }
      : {
          title: unitTitle(
            unit,
            mine.map((e) => e.key),
          ),
          fit: true,
        };
  });
  entries.forEach((e) => {
    const def = metricDef(e.key);
    const axis = kept.indexOf(def.unit);
    if (axis < 0) return;
    const scale = unitScale(def.unit);
    series.push({
      id: e.key,
      name: def.label,
      data: e.data.map(([x, v]) => [x, v * scale]),
      yAxis: axis as 0 | 1,
    });
  });
  return { series, y };
}
