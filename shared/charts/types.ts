/**
 * An ECharts option object. Builders return plain data (and a few formatter functions), so the
 * same object feeds the canvas in the app and ECharts' server-side SVG rendering in the CLI; no
 * ECharts runtime is imported here.
 */
export type ChartOption = Record<string, unknown>;

/** A series of `[x, y]` points. */
export type Points = [number, number][];

/** A named series of points. */
export interface NamedPoints {
  /** Legend name. */
  name: string;
  /** The points, in x order. */
  data: Points;
}
