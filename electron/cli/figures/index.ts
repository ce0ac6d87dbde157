// `--figures`: a set of runs rendered to SVG files (curves with bands, σ^l profiles, final-metric
// bars, LGG heatmaps), from the option builders the app uses, without a browser.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { figureSet, runGroups } from '../../../shared/charts/index.js';
import type { LabHost } from '../../host/lab-host.js';
import { loadComparedRun, loadFigureGraphs } from './load.js';
import { pngDataUrl } from './png.js';
import { renderFigureSvg } from './render.js';

export { renderFigureSvg } from './render.js';

/** Renders the figure set of `ids` into `dir` (created); resolves with the files written. */
export async function writeFigures(
  host: LabHost,
  ids: readonly string[],
  dir: string,
  o: { name?: string } = {},
): Promise<string[]> {
  const runs = await Promise.all(ids.map((id) => loadComparedRun(host, id)));
  const groups = runGroups(runs);
  const graphs = await loadFigureGraphs(host, groups);
  const dataset = runs[0]?.detail.summary.dataset;
  const meta = dataset ? await host.request('lab:datasets.list', {}) : undefined;
  const classNames = meta?.ok ? meta.value.find((d) => d.id === dataset)?.classNames : undefined;
  const figures = figureSet(groups, graphs, {
    raster: pngDataUrl,
    ...(classNames ? { classNames } : {}),
    ...(o.name ? { name: o.name } : {}),
  });
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const f of figures) {
    const file = path.join(dir, `${f.name}.svg`);
    await fs.writeFile(file, renderFigureSvg(f));
    files.push(file);
  }
  return files;
}
