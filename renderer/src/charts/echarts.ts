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
import { fitLegend, type ChartOption } from '../../../shared/charts';

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

/**
 * The renderer of the app's charts: canvas (fast with thousands of heatmap cells), or SVG when the
 * page is opened with `charts=svg` in its query — the same layout with every text a DOM element,
 * which the end-to-end test measures for overlaps.
 */
function chartRenderer(): 'canvas' | 'svg' {
  return new URLSearchParams(window.location.search).get('charts') === 'svg' ? 'svg' : 'canvas';
}

/** Creates a chart, or null where there is no canvas (unit tests in happy-dom). */
export function createChart(el: HTMLElement, dark: boolean): EChartsType | null {
  const probe = document.createElement('canvas');
  if (typeof probe.getContext !== 'function' || !probe.getContext('2d')) return null;
  try {
    return init(el, dark ? 'dark' : undefined, { renderer: chartRenderer() });
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
      if (o) chart.setOption(i === 0 ? { ...fitLegend(o, width), backgroundColor: '#ffffff' } : o, i === 0);
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
