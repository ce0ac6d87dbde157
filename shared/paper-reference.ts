/**
 * "The paper beside your run": the published numbers of each paper preset, with the protocol they
 * were measured by, so a run's report, the dashboard, `lgg-lab show` and a study's report can put
 * them next to the run's own (METHODS.md §3, §4, §7).
 */

/** One published figure, per method, that sits beside a metric of the run's report. */
export interface PaperValue {
  /** The run's metric it compares with: a key of `report.metrics`, or `testAcc`. */
  metric: string;
  /** Protocol name (METHODS.md §7 for robustness; the classifier for geometry). */
  protocol: string;
  /** What it is, for humans. */
  label: string;
  /** Published value per method: a fraction in [0, 1] for accuracies; unitless for `unit: 'raw'`. */
  byMethod: Readonly<Partial<Record<string, number>>>;
  /** `percent`: an accuracy shown in %; `raw`: shown as is (e.g. DeepFool's mean L2 / D). */
  unit: 'percent' | 'raw';
  /** Caveat shown beside the value. */
  note?: string;
}

/** An ordering the paper reports instead of numbers, e.g. teacher > GKD > student alone. */
export interface PaperOrdering {
  /** The metric compared (`testAcc`). */
  metric: string;
  /** Methods from best to worst (`teacher` is the teacher run, not a method of the study). */
  chain: readonly string[];
  /** `>` strictly better at each link, `≥` no worse. */
  relation: '>' | '≥';
  /** As written in the paper. */
  text: string;
}

/** The published results a paper preset is compared with. */
export interface PaperReference {
  /** Where the numbers come from. */
  source: string;
  /** The setting they were measured in (dataset, network, training, statistic). */
  setting: string;
  /** Figures per metric. */
  values: readonly PaperValue[];
  /** Orderings (where no numbers are published). */
  orderings: readonly PaperOrdering[];
  /** Further context (e.g. results on another architecture). */
  notes: readonly string[];
}

/** Percentages as fractions, without binary noise (88.1 → 0.881, not 0.8809999999999999). */
const frac = (percent: number): number => Number((percent / 100).toFixed(6));

/** Published percentages of V, P, R and P+R as fractions by method. */
const RV = (v: number, p: number, r: number, pr: number): Record<string, number> => ({
  vanilla: frac(v),
  parseval: frac(p),
  laplacian: frac(r),
  'parseval+laplacian': frac(pr),
});

/**
 * CIFAR-10 robustness (METHODS.md §7): medians over 10 seeds of the authors' committed results
 * (cadurosar/laplacian_networks `cifar_10/test_results/*.pkl`, read by the lab; the clean, Gaussian
 * and PGD medians are those of METHODS.md, which the others were checked against).
 */
const ROBUST: PaperReference = {
  source:
    'Lassance et al. 2021 (laplacian_networks): medians over 10 seeds of the authors’ committed CIFAR-10 results',
  setting: 'CIFAR-10, PreActResNet18 (Parseval network for P and P+R), 100 epochs, 10,000 test images',
  values: [
    {
      metric: 'clean',
      protocol: 'clean',
      label: 'clean',
      unit: 'percent',
      byMethod: RV(88.1, 89.7, 86.9, 87.3),
    },
    {
      metric: 'gaussian@0.2',
      protocol: 'gaussian',
      label: 'Gaussian noise ε = 0.2, 40 draws',
      unit: 'percent',
      byMethod: RV(34.4, 33.4, 43.0, 50.0),
    },
    {
      metric: 'fgsm-pixel@33dB',
      protocol: 'fgsm-pixel',
      label: 'FGSM at 33 dB, pixel space',
      unit: 'percent',
      byMethod: RV(17.0, 26.7, 24.9, 28.7),
    },
    {
      metric: 'fgsm-normalised@33dB',
      protocol: 'fgsm-normalised',
      label: 'FGSM at 33 dB, normalised space',
      unit: 'percent',
      byMethod: RV(33.4, 45.3, 49.8, 51.2),
    },
    {
      metric: 'pgd-any-iterate@0.01×20',
      protocol: 'pgd-any-iterate',
      label: 'PGD ε = 0.01, step 0.002 × 20',
      unit: 'percent',
      byMethod: RV(1.2, 2.8, 11.5, 11.5),
    },
    {
      metric: 'deepfool',
      protocol: 'deepfool',
      label: 'DeepFool accuracy',
      unit: 'percent',
      byMethod: RV(1.15, 0.65, 0.0, 0.1),
      note: 'on 1,000 test images (every 10th)',
    },
    {
      metric: 'deepfool.l2',
      protocol: 'deepfool',
      label: 'DeepFool mean ‖x̃ − x‖₂ / 3072',
      unit: 'raw',
      byMethod: {
        vanilla: 4.33e-5,
        parseval: 5.94e-5,
        laplacian: 6.65e-5,
        'parseval+laplacian': 6.99e-5,
      },
      note: 'on 1,000 test images (every 10th)',
    },
    {
      metric: 'dropout-blocks@0.25',
      protocol: 'dropout-blocks',
      label: 'test-time dropout p = 0.25 on block outputs, 40 draws',
      unit: 'percent',
      byMethod: RV(53.8, 60.1, 73.4, 56.5),
    },
    {
      metric: 'dropout-blocks@0.4',
      protocol: 'dropout-blocks',
      label: 'test-time dropout p = 0.4 on block outputs, 40 draws',
      unit: 'percent',
      byMethod: RV(28.2, 20.1, 47.8, 18.7),
      note:
        'derived per draw as 2 × the script’s “0.4” figure − its 0.25 figure: the script does not reset its ' +
        'counters, so its published “0.4” medians (40.9 / 40.3 / 60.7 / 37.4) average both rates',
    },
    {
      metric: 'quantise-truncate@5bit',
      protocol: 'quantise-truncate',
      label: '5-bit weights, truncated',
      unit: 'percent',
      byMethod: RV(23.9, 42.8, 49.5, 25.6),
    },
  ],
  orderings: [],
  notes: [
    'The shape to reproduce: R and P+R more robust than V at a small clean-accuracy cost, with a flatter σ^l.',
  ],
};

/** CIFAR-10 classification geometry (METHODS.md §4): the authors' slides, test error → accuracy. */
const GEOMETRY: PaperReference = {
  source: 'Lassance et al. 2021, the authors’ slides (Bontonou et al. 2019): CIFAR-10 test error',
  setting: 'CIFAR-10, the smoothness loss on the network’s embedding vs cross-entropy',
  values: [
    {
      metric: 'testAcc',
      protocol: 'argmax',
      label: 'cross-entropy + argmax (error 5.06 %)',
      unit: 'percent',
      byMethod: { ce: 0.9494 },
    },
    {
      metric: 'knn1',
      protocol: '1-NN',
      label: 'smoothness + 1-NN (error 5.63 %)',
      unit: 'percent',
      byMethod: { smoothness: 0.9437 },
    },
    {
      metric: 'knn10',
      protocol: '10-NN',
      label: 'smoothness + 10-NN (error 5.48 %)',
      unit: 'percent',
      byMethod: { smoothness: 0.9452 },
    },
  ],
  orderings: [],
  notes: [
    'Also published: smoothness + RBF SVC 94.50 % (not in the lab); CIFAR-10-C relative mCE 90.33 (smoothness) vs 100 (cross-entropy).',
  ],
};

/** CIFAR-10 distillation (METHODS.md §3): no WRN table could be retrieved; the ordering is the reference. */
const GKD: PaperReference = {
  source: 'Lassance et al. 2021 and the authors’ graph_kd code: the published ordering',
  setting: 'CIFAR-10, WRN-28-1 teacher → WRN-28-0.5 student, λ = 25, same layer pairs',
  values: [],
  orderings: [
    {
      metric: 'testAcc',
      chain: ['teacher', 'gkd', 'student'],
      relation: '>',
      text: 'teacher > GKD > student alone',
    },
    { metric: 'testAcc', chain: ['gkd', 'rkd'], relation: '≥', text: 'GKD ≥ RKD on the same pairs' },
  ],
  notes: [
    'The same code on DenseNets: DenseNet100-11-4 alone 95.06 % (error 4.94 %), taught by DenseNet100-12-4 with KD + GKD λ = 25: 95.35 % (error 4.65 %).',
  ],
};

/** Published results of each paper preset, by preset id. */
export const PAPER_REFERENCES: Readonly<Record<string, PaperReference>> = {
  'cifar10-robust-paper': ROBUST,
  'cifar10-geometry-paper': GEOMETRY,
  'cifar10-gkd-paper': GKD,
};

/** One line of "the paper beside your run". */
export interface BesideRow {
  /** The run's metric key. */
  metric: string;
  /** Protocol name. */
  protocol: string;
  /** What it is. */
  label: string;
  /** The run's value (null when the run did not measure it). */
  run: number | null;
  /** The published value. */
  paper: number;
  /** `percent` or `raw` (see {@link PaperValue.unit}). */
  unit: 'percent' | 'raw';
  /** Caveat. */
  note?: string;
}

/** What a report stores of its paper preset's reference (`report.reference`). */
export interface RunReference {
  /** Preset id. */
  preset: string;
  /** Where the numbers come from. */
  source: string;
  /** The setting they were measured in. */
  setting: string;
  /** This method's published figures beside the run's. */
  rows: BesideRow[];
  /** Orderings the paper reports, as text. */
  orderings: string[];
  /** Further context. */
  notes: string[];
}

/**
 * The reference of a run made from a paper preset, with the run's values filled in: `metrics` are
 * the report's scalars plus `testAcc`. Undefined when the preset has no published numbers.
 */
export function runReference(
  preset: string | undefined,
  method: string,
  metrics: Readonly<Record<string, number>>,
): RunReference | undefined {
  const ref = preset === undefined ? undefined : PAPER_REFERENCES[preset];
  if (!ref || preset === undefined) return undefined;
  const rows: BesideRow[] = [];
  for (const v of ref.values) {
    const paper = v.byMethod[method];
    if (paper === undefined) continue;
    const run = metrics[v.metric];
    rows.push({
      metric: v.metric,
      protocol: v.protocol,
      label: v.label,
      run: typeof run === 'number' && Number.isFinite(run) ? run : null,
      paper,
      unit: v.unit,
      ...(v.note ? { note: v.note } : {}),
    });
  }
  return {
    preset,
    source: ref.source,
    setting: ref.setting,
    rows,
    orderings: ref.orderings.map((o) => o.text),
    notes: [...ref.notes],
  };
}

/** A unitless value with 3 significant digits (exponent notation below 1e-3, e.g. `4.33e-5`). */
export function formatRaw(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}

/** A value for humans: accuracies in % with 2 decimals, raw values with 3 significant digits. */
export function formatReferenceValue(v: number | null, unit: 'percent' | 'raw'): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return unit === 'percent' ? (100 * v).toFixed(2) : formatRaw(v);
}

/**
 * Whether an ordering holds on per-method means: `holds`, `fails` (naming the first broken link),
 * or `untested` when fewer than two of its methods are present.
 */
export function checkOrdering(
  o: PaperOrdering,
  mean: (method: string) => number | undefined,
): { verdict: 'holds' | 'fails' | 'untested'; detail: string } {
  const present = o.chain.filter((m) => mean(m) !== undefined);
  if (present.length < 2)
    return { verdict: 'untested', detail: `needs at least two of ${o.chain.join(', ')}` };
  for (let i = 0; i + 1 < present.length; i++) {
    const a = present[i] ?? '';
    const b = present[i + 1] ?? '';
    const va = mean(a) ?? 0;
    const vb = mean(b) ?? 0;
    const ok = o.relation === '>' ? va > vb : va >= vb;
    if (!ok) return { verdict: 'fails', detail: `${a} ${o.relation} ${b} does not hold` };
  }
  return { verdict: 'holds', detail: present.join(` ${o.relation} `) };
}
