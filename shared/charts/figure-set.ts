// The figures of a set of runs (a study) ready for a paper: curves with ± std bands, σ^l
// profiles, final-metric bars and the LGG heatmaps of one run per group. The same list is
// rendered to SVG by the app (Compare → Figures) and by `lgg-lab study … --figures`.
import { metricDef } from '../metrics.js';
import { withTitle } from './axes.js';
import { finalBarsOption, finalMetricKeys } from './bars.js';
import {
  compareCurvesOption,
  compareMetricTitle,
  compareMetrics,
  compareProfilesOption,
  preferSteps,
  sharedTaps,
  type ComparedRun,
  type RunGroup,
} from './compare.js';
import {
  heatmapRowOption,
  heatmapRowSize,
  valueRange,
  type HeatPanel,
  type Matrix,
  type RasterEncoder,
} from './heatmap.js';
import { SIGMA_PROFILE_TITLE } from './sigma-profile.js';
import type { ChartOption } from './types.js';

/** One figure: a file name, its option and size. */
export interface Figure {
  /** File name without extension (`curves-test-acc`, `lgg-gkd`). */
  name: string;
  /** What it shows (also its title). */
  title: string;
  /** The option to render. */
  option: ChartOption;
  /** Size, px (SVG user units). */
  width: number;
  height: number;
}

/** The LGG graphs of one run at one probe epoch, for a heatmap figure. */
export interface LggFigureData {
  /** Group the run stands for. */
  group: RunGroup;
  /** The run. */
  run: ComparedRun;
  /** Tap and epoch shown. */
  tap: string;
  epoch: number;
  /** Class-sorted probe labels. */
  labels: number[];
  /** Graph files of the tap, relative to the run folder. */
  files: { graph: string; teacher?: string; diff?: string };
}

/** Which graphs a figure set needs: one run per group (lowest seed), its last snapshot, the deepest tap (a paired one when distilling). */
export function lggFigureRequests(groups: readonly RunGroup[]): LggFigureData[] {
  const out: LggFigureData[] = [];
  const taps = sharedTaps(groups.flatMap((g) => g.runs));
  for (const group of groups) {
    const run = group.runs.find((r) => r.lastProbe);
    const snap = run?.lastProbe;
    if (!run || !snap) continue;
    const candidates = snap.taps.filter((t) => taps.includes(t.tap) || taps.length === 0);
    const tap = [...candidates].reverse().find((t) => t.files.teacher) ?? candidates[candidates.length - 1];
    if (!tap) continue;
    out.push({ group, run, tap: tap.tap, epoch: snap.epoch, labels: snap.labels, files: tap.files });
  }
  return out;
}

/** Loaded graphs of a request (null where a file could not be read). */
export interface LggFigureGraphs {
  request: LggFigureData;
  graph: Matrix | null;
  teacher?: Matrix | null;
  diff?: Matrix | null;
}

/**
 * Reads the graphs the figure set draws through `read` (a run id and a file of its folder); a file
 * that cannot be read leaves its panel out (`read` resolves with null or rejects).
 */
export async function readFigureGraphs(
  groups: readonly RunGroup[],
  read: (runId: string, file: string) => Promise<Matrix | null>,
): Promise<LggFigureGraphs[]> {
  const one = (id: string, file: string | undefined): Promise<Matrix | null | undefined> =>
    file ? read(id, file).catch(() => null) : Promise.resolve(undefined);
  return Promise.all(
    lggFigureRequests(groups).map(async (request) => {
      const [graph, teacher, diff] = await Promise.all([
        one(request.run.id, request.files.graph),
        one(request.run.id, request.files.teacher),
        one(request.run.id, request.files.diff),
      ]);
      return {
        request,
        graph: graph ?? null,
        ...(teacher !== undefined ? { teacher } : {}),
        ...(diff !== undefined ? { diff } : {}),
      };
    }),
  );
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'group'
  );
}

const CURVE_SIZE = { width: 640, height: 400 };
const BAR_SIZE = { width: 520, height: 360 };

/** The figure set of grouped runs; `graphs` are the loaded {@link lggFigureRequests}. */
export function figureSet(
  groups: readonly RunGroup[],
  graphs: readonly LggFigureGraphs[] = [],
  o: { classNames?: readonly string[]; name?: string; raster?: RasterEncoder } = {},
): Figure[] {
  const runs = groups.flatMap((g) => g.runs);
  const figures: Figure[] = [];
  const sub = o.name ? `${o.name} · mean ± std over seeds` : 'mean ± std over seeds';
  // Runs shorter than a few epochs get per-step curves; their per-epoch values (single points)
  // are in the final-metric bars.
  const short = preferSteps(runs);
  const curveKeys = compareMetrics(runs).filter((k) => {
    if (k.startsWith('batch.') || short) return short && k.startsWith('batch.');
    const d = metricDef(k);
    return (
      ['test.acc', 'test.loss', 'train.loss'].includes(k) || (d.direction !== null && d.group !== 'training')
    );
  });
  for (const k of curveKeys) {
    const title = compareMetricTitle(k).replace(/ \(.*\)$/, '');
    figures.push({
      name: `curves-${slug(k)}`,
      title,
      option: withTitle(compareCurvesOption(groups, k), title, sub),
      ...CURVE_SIZE,
    });
  }
  if (runs.some((r) => r.lastProbe)) {
    const title = `${SIGMA_PROFILE_TITLE}, last snapshot`;
    figures.push({
      name: 'sigma-profiles',
      title,
      option: withTitle(compareProfilesOption(groups), title, sub),
      ...CURVE_SIZE,
    });
  }
  for (const key of finalMetricKeys(groups)) {
    if (!groups.some((g) => g.runs.some((r) => r.detail.report))) break;
    const title = `Final ${metricDef(key).label}`;
    figures.push({
      name: `final-${slug(key)}`,
      title,
      option: withTitle(finalBarsOption(groups, key), title, sub.replace(' over seeds', ', dots: runs')),
      ...BAR_SIZE,
    });
  }
  for (const g of graphs) {
    if (!g.graph) continue;
    const r = g.request;
    const panels: HeatPanel[] = [];
    const shared =
      g.teacher && g.graph
        ? (() => {
            const a = valueRange(g.graph, true);
            const b = valueRange(g.teacher, true);
            return [Math.min(a[0], b[0]), Math.max(a[1], b[1])] as [number, number];
          })()
        : undefined;
    if (g.teacher)
      panels.push({
        title: 'teacher',
        matrix: g.teacher,
        valueName: 'weight',
        ...(shared ? { range: shared } : {}),
      });
    panels.push({
      title: g.teacher ? `student (${r.group.label})` : r.group.label,
      matrix: g.graph,
      valueName: 'weight',
      ...(shared ? { range: shared } : {}),
    });
    if (g.diff) panels.push({ title: '|A_T − A_S|', matrix: g.diff, absolute: true, valueName: '|Δ|' });
    const title = `LGG of the probe batch · ${r.tap} · epoch ${r.epoch} · ${r.run.detail.summary.name}`;
    figures.push({
      name: `lgg-${slug(r.group.label)}`,
      title,
      option: heatmapRowOption(panels, r.labels, o.classNames, title, o.raster),
      ...heatmapRowSize(panels.length, true),
    });
  }
  return figures;
}
