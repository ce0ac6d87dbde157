import type { ChartOption } from './echarts';
import { classColor } from './palette';

/** 2-D points coloured by class (embedding PCA), one series per class for the legend. */
export function classScatterOption(
  points: readonly [number, number][],
  labels: readonly number[],
  classNames?: readonly string[],
): ChartOption {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  return {
    backgroundColor: 'transparent',
    animationDurationUpdate: 300,
    tooltip: { trigger: 'item' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 48, right: 16, top: 28, bottom: 28 },
    xAxis: { type: 'value', name: 'PC 1', scale: true, nameLocation: 'middle', nameGap: 20 },
    yAxis: { type: 'value', name: 'PC 2', scale: true },
    series: classes.map((c) => ({
      id: `c${c}`,
      name: classNames?.[c] ?? String(c),
      type: 'scatter',
      symbolSize: 7,
      itemStyle: { color: classColor(c) },
      data: points.filter((_, i) => labels[i] === c),
    })),
  };
}
