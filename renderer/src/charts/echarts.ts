// Tree-shaken ECharts: only the charts and components the lab draws.
import { init, use, type EChartsType } from 'echarts/core';
import { BarChart, GraphChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([
  LineChart,
  HeatmapChart,
  GraphChart,
  ScatterChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  VisualMapComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

export type { EChartsType };
export type { EChartsCoreOption as ChartOption } from 'echarts/core';

/** Creates a chart, or null where there is no canvas (unit tests in happy-dom). */
export function createChart(el: HTMLElement, dark: boolean): EChartsType | null {
  const probe = document.createElement('canvas');
  if (typeof probe.getContext !== 'function' || !probe.getContext('2d')) return null;
  try {
    return init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
  } catch {
    return null;
  }
}
