// Every scalar the lab records, declared once: what it is called, its unit, and which way is
// better. Compare's best-marks, the tables of the dashboard, the chart axes, the study report and
// the CLI all read it here, so a distance is never starred for being large and a fraction is never
// printed as a percentage in one place and as 0.97 in another.
import { formatDuration, formatInt, formatNumber } from './format.js';

/** How a metric's values are stored (and so how they are shown). */
export type MetricUnit =
  /** In [0, 1]; shown in % (accuracies, agreement, error rates). */
  | 'fraction'
  /** A training objective or cross-entropy, in nats. */
  | 'loss'
  /** A whole number (parameters, examples). */
  | 'count'
  /** Wall-clock seconds. */
  | 'seconds'
  /** A squared distance between graphs (‖A_T − A_S‖²_F, summed over entries). */
  | 'distance'
  /** A Euclidean norm. */
  | 'norm'
  /** A smoothness σ = trace(Yᵀ L Y), unit-free. */
  | 'sigma'
  /** A learning rate. */
  | 'lr'
  /** Examples per second. */
  | 'throughput'
  /** Anything else, shown with 4 significant digits. */
  | 'value';

/** Which end of a metric is better; `null` when neither is (a teacher's accuracy, a norm). */
export type MetricDirection = 'higher' | 'lower' | null;

/** What the lab knows of one metric key. */
export interface MetricDef {
  /** The key as stored (e.g. `agreement`, `gkd.pair0`, `pgd@0.1×20`, `test.acc`). */
  key: string;
  /** Name for prose, legends and tooltips (e.g. `teacher–student agreement`). */
  label: string;
  /** Name for a table column or KPI (e.g. `agreement`). */
  short: string;
  /** How values are stored. */
  unit: MetricUnit;
  /** Which end is better. */
  direction: MetricDirection;
  /** Section of a report the metric belongs to (e.g. `robustness`, `distillation`). */
  group: string;
}

type Def = Omit<MetricDef, 'key'>;

const acc = (label: string, short: string, group: string, direction: MetricDirection = 'higher'): Def => ({
  label,
  short,
  unit: 'fraction',
  direction,
  group,
});

const EXACT: Record<string, Def> = {
  acc: acc('accuracy', 'accuracy', 'training'),
  testAcc: acc('test accuracy', 'test acc', 'training'),
  bestTestAcc: acc('best test accuracy', 'best acc', 'training'),
  lastTestAcc: acc('last test accuracy', 'last acc', 'training'),
  loss: { label: 'loss', short: 'loss', unit: 'loss', direction: 'lower', group: 'training' },
  testLoss: { label: 'test loss', short: 'test loss', unit: 'loss', direction: 'lower', group: 'training' },
  seconds: { label: 'training time', short: 'time', unit: 'seconds', direction: 'lower', group: 'training' },
  parameters: { label: 'parameters', short: 'parameters', unit: 'count', direction: null, group: 'model' },
  samplesPerSec: {
    label: 'throughput',
    short: 'img/s',
    unit: 'throughput',
    direction: 'higher',
    group: 'training',
  },
  lr: { label: 'learning rate', short: 'lr', unit: 'lr', direction: null, group: 'training' },
  teacherAcc: acc('teacher test accuracy', 'teacher acc', 'distillation', null),
  agreement: acc('teacher–student agreement', 'agreement', 'distillation'),
  mean: acc('nearest class mean accuracy', 'class mean', 'geometry'),
  embNorm: {
    label: 'mean embedding norm',
    short: 'emb. norm',
    unit: 'norm',
    direction: null,
    group: 'geometry',
  },
  clean: acc('clean accuracy (evaluation subset)', 'clean', 'robustness'),
  'corruptions.suite.error': acc(
    'corruption error, stored suite (mean)',
    'corr. err (suite)',
    'robustness',
    'lower',
  ),
  'corruptions.inApp.error': acc(
    'corruption error, in-app (mean)',
    'corr. err (in-app)',
    'robustness',
    'lower',
  ),
  'deepfool.l2': {
    label: 'DeepFool mean ‖x̃ − x‖₂ / D (deepfool)',
    short: 'DeepFool ‖δ‖₂/D',
    unit: 'value',
    direction: 'higher',
    group: 'robustness',
  },
  sigma1: { label: 'σ (m = 1)', short: 'σ', unit: 'sigma', direction: null, group: 'geometry' },
  sigma2: { label: 'σ (m = 2)', short: 'σ (m=2)', unit: 'sigma', direction: null, group: 'geometry' },
  sigma1Pairs: {
    label: 'σ per inter-class pair',
    short: 'σ / pair',
    unit: 'sigma',
    direction: null,
    group: 'geometry',
  },
  sqFrobenius: {
    label: 'GKD distance ‖A_T − A_S‖²',
    short: '‖A_T − A_S‖²',
    unit: 'distance',
    direction: 'lower',
    group: 'distillation',
  },
  sparsity: acc('graph sparsity', 'sparsity', 'geometry', null),
};

function pgdText(arg: string): string {
  const m = /^([^×]+)×(\d+)(\+rs)?$/.exec(arg);
  return m ? `PGD ε=${m[1]} × ${m[2]}${m[3] ? ', random start' : ''}` : `PGD ${arg}`;
}

/** Robustness families: `<protocol>@<strength>` accuracies (protocol names may carry a variant). */
function robustDef(family: string, variant: string, arg: string): Def | undefined {
  const tag = variant ? ` (${family}${variant})` : '';
  switch (family) {
    case 'gaussian':
      return acc(`Gaussian noise ε=${arg}${tag}`, `noise ${arg}${tag}`, 'robustness');
    case 'fgsm': {
      const what = arg.endsWith('dB') ? `at ${arg.replace('dB', ' dB')}` : `ε=${arg}`;
      return acc(`FGSM ${what}${tag}`, `FGSM ${what}${tag}`, 'robustness');
    }
    case 'pgd':
      return acc(`${pgdText(arg)}${tag}`, `${pgdText(arg)}${tag}`, 'robustness');
    case 'dropout':
      return acc(`test-time dropout p=${arg}${tag}`, `dropout ${arg}${tag}`, 'robustness');
    case 'quantized':
    case 'quantise': {
      const bits = arg.replace('bit', '');
      return acc(`${bits}-bit weights${tag}`, `${bits}-bit${tag}`, 'robustness');
    }
    case 'deepfool':
      return acc(`DeepFool accuracy${arg ? ` ${arg}` : ''}${tag}`, `DeepFool${tag}`, 'robustness');
    default:
      return undefined;
  }
}

function lookup(key: string): Def | undefined {
  const exact = EXACT[key];
  if (exact) return exact;
  const split = /^(train|val|test)\.(.+)$/.exec(key);
  if (split) {
    const inner = lookup(split[2] ?? '');
    if (!inner) return undefined;
    const named = inner.label.startsWith(`${split[1]} `) ? inner.label : `${split[1]} ${inner.label}`;
    return { ...inner, label: named, short: `${split[1]} ${inner.short}` };
  }
  const pair = /^gkd\.pair(\d+)$/.exec(key);
  if (pair) {
    const i = Number(pair[1]) + 1;
    return {
      label: `GKD distance ‖A_T − A_S‖², pair ${i}`,
      short: `‖A_T − A_S‖² pair ${i}`,
      unit: 'distance',
      direction: 'lower',
      group: 'distillation',
    };
  }
  const knn = /^knn(\d+)$/.exec(key);
  if (knn) return acc(`${knn[1]}-NN accuracy`, `${knn[1]}-NN`, 'geometry');
  const robust = /^(gaussian|fgsm|pgd|dropout|quantized|quantise|deepfool)(-[\w-]+)?(?:@(.*))?$/.exec(key);
  if (robust) return robustDef(robust[1] ?? '', robust[2] ?? '', robust[3] ?? '');
  return undefined;
}

/** The definition of a metric key; an unknown key is shown as it is, with no better end. */
export function metricDef(key: string): MetricDef {
  const d = lookup(key);
  return d ? { key, ...d } : { key, label: key, short: key, unit: 'value', direction: null, group: 'other' };
}

/** True when the lab knows the key (unknown keys are still shown, but never starred). */
export function isKnownMetric(key: string): boolean {
  return lookup(key) !== undefined;
}

/** Factor from the stored value to the shown one (fractions are shown in %). */
export function unitScale(unit: MetricUnit): number {
  return unit === 'fraction' ? 100 : 1;
}

/** The unit as written after a number or in an axis title (`%`, `s`, `img/s`), or ''. */
export function unitSymbol(unit: MetricUnit): string {
  switch (unit) {
    case 'fraction':
      return '%';
    case 'seconds':
      return 's';
    case 'throughput':
      return 'img/s';
    default:
      return '';
  }
}

/** An axis title: the label with its unit in parentheses (`test accuracy (%)`). */
export function axisTitle(label: string, unit: MetricUnit): string {
  const u = unitSymbol(unit);
  return u ? `${label} (${u})` : label;
}

/** A number of a unit, without the unit symbol (`97.65` for 0.9765 in %). */
export function formatBare(unit: MetricUnit, v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'fraction':
      return (100 * v).toFixed(2);
    case 'count':
      return formatInt(v);
    case 'throughput':
      return formatInt(v);
    case 'seconds':
      return formatDuration(v);
    case 'lr':
      return formatNumber(v, 3);
    default:
      return formatNumber(v);
  }
}

/** A value with its unit (`97.65 %`, `3 min 05 s`, `0.1234`, `1,234 img/s`). */
export function formatMetricValue(unit: MetricUnit, v: number | undefined | null): string {
  const bare = formatBare(unit, v);
  if (bare === '—' || unit === 'seconds') return bare;
  const u = unitSymbol(unit);
  return u ? `${bare} ${u}` : bare;
}

/** A metric's value as shown (`formatMetric('agreement', 0.97)` → `97.00 %`). */
export function formatMetric(key: string, v: number | undefined | null): string {
  return formatMetricValue(metricDef(key).unit, v);
}

/** Mean ± std in the metric's unit (`97.65 ± 0.12 %`); the mean alone when std is not finite. */
export function formatMeanStd(unit: MetricUnit, mean: number, std: number | undefined): string {
  if (!Number.isFinite(mean)) return '—';
  if (std === undefined || !Number.isFinite(std)) return formatMetricValue(unit, mean);
  const u = unitSymbol(unit);
  const body = `${formatBare(unit, mean)} ± ${formatBare(unit, std)}`;
  return u && unit !== 'seconds' ? `${body} ${u}` : body;
}

/**
 * Indices of the best values under a direction, ties included: two values tie when they read the
 * same in the metric's format (what a reader compares). Empty when the metric has no better end
 * or no finite value.
 */
export function bestIndices(
  values: readonly (number | undefined | null)[],
  direction: MetricDirection,
  unit: MetricUnit,
): number[] {
  if (!direction) return [];
  let best: number | undefined;
  for (const v of values) {
    if (v === undefined || v === null || !Number.isFinite(v)) continue;
    if (best === undefined || (direction === 'higher' ? v > best : v < best)) best = v;
  }
  if (best === undefined) return [];
  const shown = formatBare(unit, best);
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v !== undefined && v !== null && Number.isFinite(v) && formatBare(unit, v) === shown) out.push(i);
  });
  return out;
}
