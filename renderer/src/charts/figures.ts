// The figure set of the runs on the Compare screen, rendered to SVG in the browser (the same
// builders `lgg-lab study --figures` renders in Node) and packed as one zip.
import { figureSet, readFigureGraphs, type Pixels, type RunGroup } from '../../../shared/charts';
import type { GraphData } from '../../../shared/contract';
import { zipStore } from '../util/zip';
import { renderSvg } from './echarts';

/** Pixels as a PNG data URL, through a canvas. */
export function canvasPng(p: Pixels): string {
  const canvas = document.createElement('canvas');
  canvas.width = p.width;
  canvas.height = p.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  ctx.putImageData(new ImageData(new Uint8ClampedArray(p.data), p.width, p.height), 0, 0);
  return canvas.toDataURL('image/png');
}

/** Renders the groups' figure set; `graph` reads an LGG file of a run. Resolves with the zip's bytes and its file count. */
export async function figureZip(
  groups: readonly RunGroup[],
  graph: (runId: string, file: string) => Promise<GraphData | null>,
  o: { name?: string; classNames?: readonly string[] } = {},
): Promise<{ bytes: Uint8Array; files: number }> {
  const graphs = await readFigureGraphs(groups, graph);
  const figures = figureSet(groups, graphs, { ...o, raster: canvasPng });
  const enc = new TextEncoder();
  const files = figures.map((f) => ({
    name: `${f.name}.svg`,
    data: enc.encode(renderSvg([f.option], f.width, f.height)),
  }));
  return { bytes: zipStore(files), files: files.length };
}
