// Chart option builders shared by the app (canvas) and the CLI's figures (server-side SVG): pure
// functions from the data a chart plots to a plain ECharts option object.
export * from './axes.js';
export * from './bands.js';
export * from './compare.js';
export * from './compare-table.js';
export * from './csv.js';
export * from './curves.js';
export * from './heatmap.js';
export * from './knn-graph.js';
export * from './lines.js';
export * from './palette.js';
export * from './report-tables.js';
export * from './scatter.js';
export * from './sigma-profile.js';
export * from './smoothing.js';
export type * from './types.js';
export * from './bars.js';
export * from './figure-set.js';
export * from './legend-fit.js';
