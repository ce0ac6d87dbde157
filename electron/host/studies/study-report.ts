import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunReport, RunStatus } from '../../../shared/run-types.js';
import {
  METHODS_BY_KIND,
  type ExperimentKind,
  type ExperimentSpec,
} from '../../../shared/spec/experiments.js';
import { formatBare, metricDef } from '../../../shared/metrics.js';
import { writeFileAtomic } from '../../common/atomic-file.js';
import {
  checkOrdering,
  formatRaw,
  formatReferenceValue,
  PAPER_REFERENCES,
} from '../../../shared/paper-reference.js';
import type { RunStore } from '../runs/run-store.js';

/** One run of a study as the report sees it. */
export interface StudyRun {
  /** Run id. */
  id: string;
  /** Method. */
  method: string;
  /** Training seed. */
  seed: number;
  /** Final state. */
  state: RunStatus['state'];
  /** Why it failed, if it did. */
  error?: string;
  /** ISO-8601 creation time (the newest run of a method × seed wins). */
  createdAt: string;
  /** The run's spec. */
  spec: ExperimentSpec;
  /** report.json, when the run completed. */
  report?: RunReport;
}

/** Mean ± std of one metric for one method. */
export interface StudyCell {
  /** Completed runs that have the metric. */
  n: number;
  /** Mean. */
  mean: number;
  /** Sample standard deviation (n − 1); NaN for a single run. */
  std: number;
  /** The values, in seed order. */
  values: number[];
}

/** The summary of a study: every key metric × method. */
export interface StudySummary {
  /** Study name. */
  name: string;
  /** Experiment kind of its runs. */
  kind: ExperimentKind;
  /** Methods, in display order. */
  methods: string[];
  /** Key metrics, in display order (`testAcc` first). */
  metrics: string[];
  /** metric → method → cell (absent when no completed run has the metric). */
  cells: Record<string, Record<string, StudyCell>>;
  /** The runs used (newest per method × seed), completed or not. */
  runs: StudyRun[];
}

/** Folder-safe form of a study name. */
export function studySlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return slug.length > 0 ? slug.slice(0, 120) : 'study';
}

/** `<dataDir>/studies/<slug>/`. */
export function studyDir(dataDir: string, name: string): string {
  return path.join(dataDir, 'studies', studySlug(name));
}

// `fgsm@`, `pgd@`, `dropout@`, `quantized@`: reports written before the protocols were named.
const ROBUST_PREFIXES = [
  'clean',
  'gaussian@',
  'fgsm',
  'pgd',
  'deepfool',
  'corruptions.',
  'dropout',
  'quantise-',
  'quantized@',
];
const KEY_METRICS: Record<ExperimentKind, (key: string) => boolean> = {
  train: () => false,
  distill: (k) => k === 'agreement',
  geometry: (k) => /^knn\d+$/.test(k) || k === 'mean',
  robust: (k) => ROBUST_PREFIXES.some((p) => (p === 'clean' ? k === p : k.startsWith(p))),
};

/**
 * The metrics a study reports for a kind, besides the final test accuracy: distillation agreement;
 * geometry k-NN (1, 10, …) and class-mean accuracies; robustness the whole suite (clean, every
 * Gaussian ε, FGSM and PGD row, corruption errors, dropout and quantisation), in report order.
 */
export function keyMetrics(kind: ExperimentKind, reports: readonly RunReport[]): string[] {
  const keys: string[] = [];
  for (const r of reports) for (const k of Object.keys(r.metrics)) if (!keys.includes(k)) keys.push(k);
  return ['testAcc', ...keys.filter(KEY_METRICS[kind])];
}

function cell(values: number[]): StudyCell {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { n, mean, std, values };
}

/** Summarises a study's runs: the newest run per method × seed; statistics over completed runs only. */
export function summarizeStudy(
  name: string,
  all: readonly StudyRun[],
  methodOrder?: readonly string[],
): StudySummary {
  const newest = new Map<string, StudyRun>();
  for (const r of all) {
    const key = `${r.method}\u0000${r.seed}`;
    const prev = newest.get(key);
    if (!prev || r.createdAt > prev.createdAt || (r.createdAt === prev.createdAt && r.id > prev.id))
      newest.set(key, r);
  }
  const kind = [...newest.values()][0]?.spec.kind ?? 'train';
  const known: readonly string[] = METHODS_BY_KIND[kind];
  const present = [...new Set([...newest.values()].map((r) => r.method))].sort();
  const order = methodOrder ?? known;
  const methods = [...order.filter((m) => present.includes(m)), ...present.filter((m) => !order.includes(m))];
  const runs = [...newest.values()].sort(
    (a, b) => methods.indexOf(a.method) - methods.indexOf(b.method) || a.seed - b.seed,
  );
  const done = runs.filter((r) => r.state === 'completed' && r.report);
  const metrics = keyMetrics(
    kind,
    done.map((r) => r.report as RunReport),
  );
  const cells: StudySummary['cells'] = {};
  for (const metric of metrics) {
    cells[metric] = {};
    for (const method of methods) {
      const values = done
        .filter((r) => r.method === method)
        .map((r) => (metric === 'testAcc' ? r.report?.testAcc : r.report?.metrics[metric]))
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length > 0) cells[metric][method] = cell(values);
    }
  }
  return { name, kind, methods, metrics, cells, runs };
}

/** Every run of the store tagged with the study name. */
export async function collectStudyRuns(store: RunStore, name: string): Promise<StudyRun[]> {
  const out: StudyRun[] = [];
  for (const id of await store.ids()) {
    const spec = await store.spec(id).catch(() => undefined);
    if (spec?.study !== name) continue;
    const [status, report] = await Promise.all([store.status(id), store.report(id)]);
    out.push({
      id,
      method: spec.method,
      seed: spec.training.seed,
      state: status.state,
      ...(status.error ? { error: status.error.message } : {}),
      createdAt: status.createdAt,
      spec,
      ...(report ? { report } : {}),
    });
  }
  return out;
}

/** Human label of a metric key (the CSV keeps the keys): the metric registry's. */
export function metricLabel(metric: string): string {
  return metricDef(metric).label;
}

function pct(x: number): string {
  return (100 * x).toFixed(2);
}

/**
 * Mean ± std in the table's unit: fractions as % numbers ("97.65 ± 0.12", the header says %),
 * other metrics as they are; "97.65" for one run, or "—".
 */
export function formatCell(c: StudyCell | undefined, metric = 'testAcc'): string {
  if (!c) return '—';
  const unit = metricDef(metric).unit;
  // Raw values with 3 significant digits, as the paper's figures beside them are printed.
  const one = (x: number): string =>
    unit === 'fraction' ? pct(x) : unit === 'value' ? formatRaw(x) : formatBare(unit, x);
  return Number.isNaN(c.std) ? one(c.mean) : `${one(c.mean)} ± ${one(c.std)}`;
}

/**
 * "The paper beside your study": for a study made from a paper preset, its published figures per
 * method (a row under each metric they compare with) and its orderings checked on the means.
 */
export function paperLines(s: StudySummary): string[] {
  const preset = s.runs.find((r) => r.spec.preset)?.spec.preset;
  const ref = preset ? PAPER_REFERENCES[preset] : undefined;
  if (!preset || !ref) return [];
  const lines = [`## The paper beside this study (${preset})`, '', `${ref.source}; ${ref.setting}.`, ''];
  if (ref.values.length > 0) {
    lines.push(
      `| protocol: figure | ${s.methods.map((m) => `${m}: this study | ${m}: paper`).join(' | ')} |`,
      `|---|${s.methods.map(() => '---:|---:').join('|')}|`,
    );
    for (const v of ref.values) {
      if (!s.methods.some((m) => v.byMethod[m] !== undefined)) continue;
      const cells = s.methods.map((m) => {
        const paper = v.byMethod[m];
        return `${formatCell(s.cells[v.metric]?.[m], v.metric)} | ${paper === undefined ? '—' : formatReferenceValue(paper, v.unit)}`;
      });
      lines.push(`| ${v.protocol}: ${v.label}${v.note ? ` (${v.note})` : ''} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  for (const o of ref.orderings) {
    const check = checkOrdering(o, (m) => s.cells[o.metric]?.[m]?.mean);
    lines.push(`- ${o.text}: ${check.verdict} in this study (${check.detail})`);
  }
  for (const n of ref.notes) lines.push(`- ${n}`);
  lines.push('');
  return lines;
}

function describe(s: StudySummary): string {
  const spec = s.runs[0]?.spec;
  const seeds = [...new Set(s.runs.map((r) => r.seed))].sort((a, b) => a - b);
  const model = spec ? `${spec.model.arch}${'width' in spec.model ? ` ×${spec.model.width}` : ''}` : '?';
  return `${s.kind} · dataset ${spec?.dataset ?? '?'} · model ${model} · ${spec?.training.epochs ?? '?'} epoch(s) · seeds ${seeds.join(', ')}`;
}

/** The study report as Markdown: metrics × methods (mean ± std in %), then the runs. */
export function studyMarkdown(s: StudySummary, generatedAt = new Date().toISOString()): string {
  const counts = s.methods.map((m) => s.runs.filter((r) => r.method === m && r.state === 'completed').length);
  const lines = [
    `# Study ${s.name}`,
    '',
    `${describe(s)} · generated ${generatedAt}`,
    '',
    `| metric (%) | ${s.methods.map((m, i) => `${m} (n = ${counts[i] ?? 0})`).join(' | ')} |`,
    `|---|${s.methods.map(() => '---:').join('|')}|`,
    ...s.metrics.map(
      (metric) =>
        `| ${metricLabel(metric)} | ${s.methods.map((m) => formatCell(s.cells[metric]?.[m], metric)).join(' | ')} |`,
    ),
    '',
    'Mean ± sample standard deviation (n − 1) over the completed runs of each method; accuracies and',
    'errors in %. Robustness metrics are accuracies on the evaluation subset unless named "error";',
    'DeepFool’s mean L2 / D is unitless.',
    '',
    ...paperLines(s),
    '## Runs',
    '',
    '| run | method | seed | state | test accuracy % | note |',
    '|---|---|---:|---|---:|---|',
    ...s.runs.map(
      (r) =>
        `| ${r.id} | ${r.method} | ${r.seed} | ${r.state} | ${r.report ? pct(r.report.testAcc) : '—'} | ${(r.error ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The study report as CSV, one row per metric × method: `study,kind,metric,method,n,mean,std,values`
 * with values as stored in report.json (fractions in [0, 1]), `values` separated by `;`.
 */
export function studyCsv(s: StudySummary): string {
  const rows = [['study', 'kind', 'metric', 'method', 'n', 'mean', 'std', 'values']];
  for (const metric of s.metrics) {
    for (const method of s.methods) {
      const c = s.cells[metric]?.[method];
      if (!c) continue;
      rows.push([
        s.name,
        s.kind,
        metric,
        method,
        String(c.n),
        String(c.mean),
        Number.isNaN(c.std) ? '' : String(c.std),
        c.values.join(';'),
      ]);
    }
  }
  return `${rows.map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

/** Writes `<dataDir>/studies/<slug>/report.md` and `report.csv` (atomically) and returns their paths. */
export async function writeStudyReport(
  dataDir: string,
  s: StudySummary,
  markdown = studyMarkdown(s),
): Promise<{ markdown: string; csv: string }> {
  const dir = studyDir(dataDir, s.name);
  await fs.mkdir(dir, { recursive: true });
  const files = { markdown: path.join(dir, 'report.md'), csv: path.join(dir, 'report.csv') };
  await writeFileAtomic(files.markdown, markdown);
  await writeFileAtomic(files.csv, studyCsv(s));
  return files;
}

/**
 * Rebuilds a study's report from the runs tagged with it, as they are now (finished runs merge in
 * as they land; unfinished ones are listed with their state). Undefined when no run has the tag.
 */
export async function refreshStudyReport(
  store: RunStore,
  dataDir: string,
  name: string,
  methods?: readonly string[],
): Promise<
  { summary: StudySummary; markdown: string; files: { markdown: string; csv: string } } | undefined
> {
  const runs = await collectStudyRuns(store, name);
  if (runs.length === 0) return undefined;
  const summary = summarizeStudy(name, runs, methods);
  const markdown = studyMarkdown(summary);
  return { summary, markdown, files: await writeStudyReport(dataDir, summary, markdown) };
}
