import type { ReportTable } from '../../../shared/run-types';
import type { Points } from './curves';
import type { ChartOption } from './echarts';
import { HEAT_COLORS } from './palette';

/** The numeric columns of a table as curves over its first column, when that is numeric. */
export function tableCurves(t: ReportTable): { name: string; data: Points }[] | null {
  if (t.rows.length < 2 || !t.rows.every((r) => typeof r[0] === 'number')) return null;
  const out = t.columns.slice(1).map((name, c) => ({
    name,
    data: t.rows
      .filter((r) => typeof r[c + 1] === 'number')
      .map((r) => [r[0] as number, r[c + 1] as number] as [number, number]),
  }));
  const curves = out.filter((s) => s.data.length >= 2);
  return curves.length > 0 ? curves : null;
}

/** A confusion matrix table: rows = true class, columns = predicted, first column the class name. */
export function confusionOption(t: ReportTable): ChartOption {
  const classes = t.rows.map((r) => String(r[0]));
  const cells: [number, number, number][] = [];
  let max = 1;
  t.rows.forEach((r, i) =>
    r.slice(1).forEach((v, j) => {
      const n = typeof v === 'number' ? v : Number(v);
      cells.push([j, i, n]);
      if (n > max) max = n;
    }),
  );
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: {
      formatter: (p: { value: [number, number, number] }) =>
        `true ${classes[p.value[1]]} → predicted ${classes[p.value[0]]}: ${p.value[2]}`,
    },
    grid: { left: 48, right: 12, top: 8, bottom: 48 },
    xAxis: { type: 'category', data: classes, name: 'predicted', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'category', data: classes, inverse: true, name: 'true' },
    visualMap: { min: 0, max, show: false, inRange: { color: HEAT_COLORS } },
    series: [{ type: 'heatmap', data: cells, label: { show: classes.length <= 12, fontSize: 10 } }],
  };
}
