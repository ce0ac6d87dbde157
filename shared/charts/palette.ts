// Colours shared by every chart builder (renderer and CLI figures).

/** Ten-plus categorical colours (Tableau 10, then a lighter set) readable on light and dark. */
const CLASS_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#a0cbe8',
  '#ffbe7d',
  '#ff9d9a',
  '#86bcb6',
  '#8cd17d',
  '#f1ce63',
  '#d4a6c8',
  '#fabfd2',
  '#d7b5a6',
  '#79706e',
];

/** Colour of class `i`. */
export function classColor(i: number): string {
  return CLASS_COLORS[((i % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length] ?? '#888';
}

// Viridis stops: perceptually ordered, so "later epoch" reads as "further along" in any theme.
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** RGB of a position t ∈ [0, 1] along viridis (linear between its stops, as ECharts' visualMap). */
export function sequentialRgb(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i] ?? [0, 0, 0];
  const b = VIRIDIS[i + 1] ?? a;
  return [0, 1, 2].map((k) => Math.round((a[k] ?? 0) + f * ((b[k] ?? 0) - (a[k] ?? 0)))) as [
    number,
    number,
    number,
  ];
}

/** Colour of a position t ∈ [0, 1] along the epochs. */
export function sequentialColor(t: number): string {
  const [r, g, b] = sequentialRgb(t);
  return `rgb(${r}, ${g}, ${b})`;
}

/** Heatmap colour ramp (viridis). */
export const HEAT_COLORS = VIRIDIS.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`);

/** Series colours for runs and groups. */
export const SERIES_COLORS = CLASS_COLORS;

/** Colour of the `i`-th series or group of a view. */
export function seriesColor(i: number): string {
  return classColor(i);
}

/**
 * One colour per name, in first-seen order: every chart of a view (Compare's curves, profiles,
 * bars and table) takes its colours from one such map, so a group keeps its colour throughout.
 */
export function colorMap(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of names) if (!out.has(n)) out.set(n, seriesColor(out.size));
  return out;
}
