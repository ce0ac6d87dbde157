import type { ChartOption } from './echarts';
import type { Matrix } from './heatmap';
import { classColor } from './palette';

/** Undirected edges keeping each node's `k` strongest off-diagonal neighbours. */
export function knnEdges(m: Matrix, k: number): { source: number; target: number; weight: number }[] {
  const seen = new Set<string>();
  const edges: { source: number; target: number; weight: number }[] = [];
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

/** A force layout of the kNN graph, nodes coloured by class. */
export function knnGraphOption(
  m: Matrix,
  labels: readonly number[],
  k: number,
  classNames?: readonly string[],
): ChartOption {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const edges = knnEdges(m, k);
  const maxW = edges.reduce((a, e) => Math.max(a, e.weight), 0) || 1;
  return {
    backgroundColor: 'transparent',
    animationDurationUpdate: 300,
    tooltip: {
      formatter: (p: { dataType: string; data: { name?: string } }) =>
        p.dataType === 'node' ? (p.data.name ?? '') : '',
    },
    legend: { top: 0, type: 'scroll', data: classes.map((c) => classNames?.[c] ?? String(c)) },
    series: [
      {
        id: 'knn',
        type: 'graph',
        layout: 'force',
        top: 28,
        roam: true,
        draggable: true,
        force: { repulsion: 30, edgeLength: 12, gravity: 0.12, layoutAnimation: true },
        categories: classes.map((c) => ({
          name: classNames?.[c] ?? String(c),
          itemStyle: { color: classColor(c) },
        })),
        data: labels.map((l, i) => ({
          id: String(i),
          name: `#${i} · class ${classNames?.[l] ?? l}`,
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
