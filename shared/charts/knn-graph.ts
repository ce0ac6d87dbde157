import { base, LEGEND_HEIGHT, legendOf } from './axes.js';
import type { Matrix } from './heatmap.js';
import { classColor } from './palette.js';
import type { ChartOption } from './types.js';

/** An undirected weighted edge. */
export interface Edge {
  source: number;
  target: number;
  weight: number;
}

/** Undirected edges keeping each node's `k` strongest off-diagonal neighbours. */
export function knnEdges(m: Matrix, k: number): Edge[] {
  const seen = new Set<string>();
  const edges: Edge[] = [];
  for (let i = 0; i < m.size; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < m.size; j++) if (j !== i) row.push([j, m.values[i * m.size + j] ?? 0]);
    row.sort((a, b) => b[1] - a[1]);
    for (const [j, w] of row.slice(0, k)) {
      if (!(w > 0)) continue;
      const key = i < j ? `${i}-${j}` : `${j}-${i}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ source: i, target: j, weight: w });
    }
  }
  return edges;
}

/** Iterations of the layout: enough for 100–200 probe examples to settle. */
const LAYOUT_ITERATIONS = 160;

/**
 * A Fruchterman–Reingold layout of the kNN graph, computed here rather than by ECharts' live
 * force simulation: that one has no bounds, so its nodes drifted over the legend and out of the
 * panel. Deterministic (classes start on a circle, a fixed jitter), so a figure is reproducible;
 * positions are scaled to [0, 1]² and ECharts fits that box into the space under the legend.
 */
export function knnLayout(labels: readonly number[], edges: readonly Edge[]): [number, number][] {
  const n = labels.length;
  if (n === 0) return [];
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  let seed = 0x9e3779b9;
  const rand = (): number => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 2 ** 32;
  };
  const pos = labels.map((l): [number, number] => {
    const a = (2 * Math.PI * classes.indexOf(l)) / Math.max(1, classes.length);
    return [0.5 + 0.3 * Math.cos(a) + 0.08 * (rand() - 0.5), 0.5 + 0.3 * Math.sin(a) + 0.08 * (rand() - 0.5)];
  });
  const k = 1 / Math.sqrt(n);
  const maxW = edges.reduce((a, e) => Math.max(a, e.weight), 0) || 1;
  const disp = new Float64Array(2 * n);
  const push = (i: number, dx: number, dy: number): void => {
    disp[2 * i] = (disp[2 * i] ?? 0) + dx;
    disp[2 * i + 1] = (disp[2 * i + 1] ?? 0) + dy;
  };
  for (let it = 0; it < LAYOUT_ITERATIONS; it++) {
    disp.fill(0);
    for (let i = 0; i < n; i++) {
      const pi = pos[i] as [number, number];
      for (let j = i + 1; j < n; j++) {
        const pj = pos[j] as [number, number];
        const dx = pi[0] - pj[0];
        const dy = pi[1] - pj[1];
        const d2 = Math.max(1e-6, dx * dx + dy * dy);
        const f = (k * k) / d2;
        push(i, dx * f, dy * f);
        push(j, -dx * f, -dy * f);
      }
    }
    for (const e of edges) {
      const a = pos[e.source] as [number, number];
      const b = pos[e.target] as [number, number];
      const dx = a[0] - b[0];
      const dy = a[1] - b[1];
      const d = Math.sqrt(dx * dx + dy * dy);
      const f = (d / k) * (0.3 + 0.7 * (e.weight / maxW));
      push(e.source, -dx * f, -dy * f);
      push(e.target, dx * f, dy * f);
    }
    // Cooling: large moves first, then refinement; a weak pull to the centre keeps
    // disconnected components in view.
    const temp = 0.1 * (1 - it / LAYOUT_ITERATIONS) + 0.002;
    for (let i = 0; i < n; i++) {
      const p = pos[i] as [number, number];
      const dx = (disp[2 * i] ?? 0) + 0.05 * (0.5 - p[0]) * n * k;
      const dy = (disp[2 * i + 1] ?? 0) + 0.05 * (0.5 - p[1]) * n * k;
      const len = Math.sqrt(dx * dx + dy * dy) || 1;
      const step = Math.min(len, temp);
      p[0] += (dx / len) * step;
      p[1] += (dy / len) * step;
    }
  }
  const xs = pos.map((p) => p[0]);
  const ys = pos.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  return pos.map(([x, y]) => [(x - x0) / span, (y - y0) / span]);
}

/** The kNN graph laid out in the space under its legend, nodes coloured by class. */
export function knnGraphOption(
  m: Matrix,
  labels: readonly number[],
  k: number,
  classNames?: readonly string[],
): ChartOption {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const edges = knnEdges(m, k);
  const xy = knnLayout(labels, edges);
  const maxW = edges.reduce((a, e) => Math.max(a, e.weight), 0) || 1;
  const name = (c: number) => classNames?.[c] ?? String(c);
  return {
    ...base(),
    tooltip: {
      confine: true,
      formatter: (p: { dataType: string; data: { name?: string } }) =>
        p.dataType === 'node' ? (p.data.name ?? '') : '',
    },
    legend: legendOf(classes.map(name), {}, true),
    series: [
      {
        id: 'knn',
        type: 'graph',
        layout: 'none',
        left: 10,
        right: 10,
        top: LEGEND_HEIGHT + 10,
        bottom: 10,
        roam: true,
        categories: classes.map((c) => ({ name: name(c), itemStyle: { color: classColor(c) } })),
        data: labels.map((l, i) => ({
          id: String(i),
          name: `#${i} · class ${name(l)}`,
          x: xy[i]?.[0] ?? 0.5,
          y: xy[i]?.[1] ?? 0.5,
          category: classes.indexOf(l),
          symbolSize: 7,
        })),
        links: edges.map((e) => ({
          source: String(e.source),
          target: String(e.target),
          lineStyle: { opacity: 0.15 + 0.6 * (e.weight / maxW), width: 1 },
        })),
        lineStyle: { color: 'source', curveness: 0 },
        emphasis: { focus: 'adjacency' },
      },
    ],
  };
}
