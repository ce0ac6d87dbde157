// Tree-shaken ECharts: only the charts and components the lab draws. The option objects come
// from shared/charts (pure builders, also used by the CLI's server-side figures).
import { init, use, type EChartsType } from 'echarts/core';
import { BarChart, GraphChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from '../../../shared/charts';

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
  TitleComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export type { EChartsType };
export type { ChartOption };

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

/**
 * The chart as an SVG document, rendered off-screen by ECharts' SVG renderer from the same option
 * (and data patches) the panel draws, in the light theme on white: a vector figure for a paper.
 */
export function renderSvg(
  options: readonly (ChartOption | null | undefined)[],
  width: number,
  height: number,
): string {
  const chart = init(null, undefined, { renderer: 'svg', ssr: true, width, height });
  try {
    options.forEach((o, i) => {
      if (o) chart.setOption({ ...o, ...(i === 0 ? { backgroundColor: '#ffffff' } : {}) }, i === 0);
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
