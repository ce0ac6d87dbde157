import { axisTooltip, base, frame, legendOf, valueAxis } from './axes.js';
import { classColor } from './palette.js';
import type { ChartOption } from './types.js';

/** 2-D points coloured by class (embedding PCA), one series per class for the legend. */
export function classScatterOption(
  points: readonly [number, number][],
  labels: readonly number[],
  classNames?: readonly string[],
): ChartOption {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const names = classes.map((c) => classNames?.[c] ?? String(c));
  return {
    ...base(),
    tooltip: { ...axisTooltip(), trigger: 'item' },
    legend: legendOf(names),
    grid: frame({ legend: names.length > 1 }),
    xAxis: valueAxis({ title: 'PC 1', fit: true }, 'x'),
    yAxis: valueAxis({ title: 'PC 2', fit: true }, 'y'),
    series: classes.map((c, i) => ({
      id: `c${c}`,
      name: names[i],
      type: 'scatter',
      symbolSize: 7,
      itemStyle: { color: classColor(c) },
      data: points.filter((_, j) => labels[j] === c),
    })),
  };
}
