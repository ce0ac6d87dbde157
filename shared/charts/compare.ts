// Runs side by side (the Compare screen and a study's figures): groups of seeds, one colour per
// group across every chart, curves at epoch or step resolution, σ^l profiles and the table.
import type { RunDetail } from '../contract.js';
import { axisTitle, metricDef, unitScale } from '../metrics.js';
import type { EpochRecord, ProbeSnapshot, StepRecord } from '../run-types.js';
import type { AxisSpec } from './axes.js';
import { bandsOption, type CurveGroup } from './bands.js';
import { curveAxis, smoothPoints } from './curves.js';
import { colorMap } from './palette.js';
import type { ChartOption, Points } from './types.js';

/** What a view of several runs knows of one run. */
export interface ComparedRun {
  /** Run id. */
  id: string;
  /** Detail (summary, spec, report). */
  detail: RunDetail;
  /** Epoch records, in order. */
  epochs: EpochRecord[];
  /** Step records, in order (empty when not loaded). */
  steps: StepRecord[];
  /** The last probe snapshot, for the σ^l profile. */
  lastProbe?: ProbeSnapshot;
}

/** Runs shorter than this many epochs are compared per step: an epoch curve would be a point. */
export const STEP_RESOLUTION_BELOW_EPOCHS = 3;

/** The configuration a run shares with its other seeds (a study's method, else method · model · dataset). */
export function groupKey(run: ComparedRun): string {
  const s = run.detail.summary;
  return s.study ? `${s.study} · ${s.method}` : `${s.method} · ${s.model} · ${s.dataset}`;
}

/**
 * Legend names of group keys: the ` · `-separated parts every key shares are dropped (a study's
 * name, a common model), so the legend says what differs.
 */
export function groupLabels(keys: readonly string[]): Map<string, string> {
  const unique = [...new Set(keys)];
  const parts = unique.map((k) => k.split(' · '));
  const shared = (i: number) =>
    parts.every((p) => p.length === (parts[0]?.length ?? 0) && p[i] === parts[0]?.[i]);
  const out = new Map<string, string>();
  for (const [j, k] of unique.entries()) {
    const p = parts[j] ?? [];
    const kept = unique.length > 1 ? p.filter((_, i) => !shared(i)) : p;
    out.set(k, (kept.length > 0 ? kept : p).join(' · '));
  }
  return out;
}

/** Groups of a set of runs, in first-seen order, each with its legend label and colour. */
export interface RunGroup {
  /** Group key ({@link groupKey}). */
  key: string;
  /** Legend name. */
  label: string;
  /** The group's colour in every chart of the view. */
  color: string;
  /** Its runs, in seed order. */
  runs: ComparedRun[];
}

/** Runs grouped by configuration (seeds pooled), one colour per group. */
export function runGroups(runs: readonly ComparedRun[]): RunGroup[] {
  const keys = runs.map(groupKey);
  const labels = groupLabels(keys);
  const colors = colorMap(keys);
  const out = new Map<string, RunGroup>();
  runs.forEach((r, i) => {
    const key = keys[i] ?? '';
    const g = out.get(key) ?? { key, label: labels.get(key) ?? key, color: colors.get(key) ?? '', runs: [] };
    g.runs.push(r);
    out.set(key, g);
  });
  for (const g of out.values()) g.runs.sort((a, b) => a.detail.summary.seed - b.detail.summary.seed);
  return [...out.values()];
}

/** A curve Compare can overlay: `<split>.<metric>` of epoch records, or `batch.loss|acc` of step records. */
export type CompareMetric = string;

/** Steps per epoch of a run (its first epoch record, else its status, else its spec), or null. */
function stepsPerEpoch(run: ComparedRun): number | null {
  const e = run.epochs[0];
  if (e && e.step > 0) return e.step / e.epoch;
  return run.detail.summary.status.stepsPerEpoch ?? run.detail.spec.training.stepsPerEpoch ?? null;
}

/** Whether the runs are short enough to compare per step. */
export function preferSteps(runs: readonly ComparedRun[]): boolean {
  const longest = Math.max(0, ...runs.map((r) => r.epochs.length));
  return longest < STEP_RESOLUTION_BELOW_EPOCHS && runs.some((r) => r.steps.length > 1);
}

/** The metrics the runs have curves of: step-level ones first when the runs are short. */
export function compareMetrics(runs: readonly ComparedRun[]): CompareMetric[] {
  const epochKeys: string[] = ['test.acc', 'test.loss', 'train.acc', 'train.loss'];
  for (const r of runs)
    for (const e of r.epochs)
      for (const k of Object.keys(e.test)) if (!epochKeys.includes(`test.${k}`)) epochKeys.push(`test.${k}`);
  const stepKeys = runs.some((r) => r.steps.length > 1) ? ['batch.loss', 'batch.acc'] : [];
  return preferSteps(runs) ? [...stepKeys, ...epochKeys] : [...epochKeys, ...stepKeys];
}

/** Legend-free name of a compare metric with its unit (`test accuracy (%)`, `batch loss (smoothed)`). */
export function compareMetricTitle(metric: CompareMetric): string {
  if (metric.startsWith('batch.')) {
    const inner = metric.slice(6);
    const d = metricDef(inner);
    return axisTitle(`training batch ${d.label}`, d.unit);
  }
  const d = metricDef(metric);
  return axisTitle(d.label, d.unit);
}

const BATCH_SMOOTHING = 0.6;

/** A run's curve of a metric: x in (fractional) epochs; values scaled to the shown unit. */
export function runCurve(run: ComparedRun, metric: CompareMetric): Points {
  if (metric.startsWith('batch.')) {
    const spe = stepsPerEpoch(run);
    const key = metric.slice(6) as 'loss' | 'acc';
    const scale = unitScale(metricDef(key).unit);
    const raw: Points = run.steps.map((s) => [spe ? s.step / spe : s.step, s[key] * scale]);
    return smoothPoints(raw, BATCH_SMOOTHING);
  }
  const [split, ...rest] = metric.split('.');
  const key = rest.join('.');
  const scale = unitScale(metricDef(metric).unit);
  return run.epochs.flatMap((e): Points => {
    const m = e[split as 'train' | 'val' | 'test'];
    const v = m?.[key];
    return typeof v === 'number' ? [[e.epoch, v * scale]] : [];
  });
}

/** Whether a metric's curves are drawn over steps (then x is fractional epochs or steps). */
function stepX(runs: readonly ComparedRun[], metric: CompareMetric): AxisSpec {
  if (!metric.startsWith('batch.')) return { ...curveAxis('epoch'), integer: true };
  const known = runs.every((r) => stepsPerEpoch(r) !== null);
  return curveAxis(known ? 'epoch' : 'step');
}

/** The groups' curves of a metric, each with its colour. */
export function compareGroups(groups: readonly RunGroup[], metric: CompareMetric): CurveGroup[] {
  return groups.map((g) => ({
    name: g.runs.length > 1 ? `${g.label} (n=${g.runs.length})` : g.label,
    color: g.color,
    curves: g.runs.map((r) => runCurve(r, metric)),
  }));
}

/** Overlaid curves with mean ± std bands per group. */
export function compareCurvesOption(groups: readonly RunGroup[], metric: CompareMetric): ChartOption {
  const runs = groups.flatMap((g) => g.runs);
  const d = metricDef(metric.startsWith('batch.') ? metric.slice(6) : metric);
  const y: AxisSpec =
    d.unit === 'fraction'
      ? { title: compareMetricTitle(metric), fit: true, max: 100 }
      : { title: compareMetricTitle(metric), fit: true };
  return bandsOption(compareGroups(groups, metric), { x: { kind: 'value', axis: stepX(runs, metric) }, y });
}

/** The layers the runs' last snapshots share, in order. */
export function sharedTaps(runs: readonly ComparedRun[]): string[] {
  const withProbe = runs.filter((r) => r.lastProbe);
  const first = withProbe[0]?.lastProbe?.taps.map((t) => t.tap) ?? [];
  return first.filter((t) => withProbe.every((r) => r.lastProbe?.taps.some((x) => x.tap === t)));
}

/** σ per inter-class pair of a run's last snapshot over the shared layers. */
export function profileCurve(run: ComparedRun, taps: readonly string[]): Points {
  return taps.flatMap((tap, i): Points => {
    const t = run.lastProbe?.taps.find((x) => x.tap === tap);
    return t ? [[i, t.sigma1Pairs]] : [];
  });
}

/** σ^l profiles of the groups (last snapshot of each run), mean ± std per layer, group colours. */
export function compareProfilesOption(groups: readonly RunGroup[]): ChartOption {
  const runs = groups.flatMap((g) => g.runs);
  const taps = sharedTaps(runs);
  const curves = groups
    .map((g) => ({
      name: g.runs.length > 1 ? `${g.label} (n=${g.runs.length})` : g.label,
      color: g.color,
      curves: g.runs.filter((r) => r.lastProbe).map((r) => profileCurve(r, taps)),
    }))
    .filter((g) => g.curves.length > 0);
  return bandsOption(curves, {
    x: { kind: 'category', title: 'layer', names: taps },
    y: { title: metricDef('sigma1Pairs').label, fit: true },
  });
}
