// Server-side SVG: ECharts renders the shared option builders' objects without a browser.
import * as echarts from 'echarts';
import { fitLegend, type Figure } from '../../../shared/charts/index.js';

/**
 * The figure as a standalone SVG document on a white background. The chart is disposed at once:
 * an undisposed server-side chart keeps a timer alive and the process would not exit.
 */
export function renderFigureSvg(f: Figure): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: f.width, height: f.height });
  try {
    chart.setOption({ ...fitLegend(f.option, f.width), backgroundColor: '#ffffff', animation: false });
    const svg = chart.renderToSVGString();
    return svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  } finally {
    chart.dispose();
  }
}
