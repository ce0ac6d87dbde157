import type { ReportTable } from '../../../shared/run-types.js';
import { runsProtocol, type Evaluation, type Protocol } from '../../../shared/spec/evaluation.js';
import type { CorruptionSuite } from '../data/corruption-suite.js';
import type { LoadedDataset } from '../data/dataset.js';
import { balancedSample } from '../data/sampling.js';
import type { Model } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type { FinishResult } from '../train/experiment.js';
import { EVAL_BATCH } from '../train/evaluate.js';
import { corruptionTable, inAppCorruptions, meanError, suiteCorruptions } from './corruptions.js';
import { evaluatePerturbed, gatherEvalSet, pixelClassifier, type EvalIo, type EvalSet } from './eval-set.js';
import {
  deepfoolItem,
  dropoutItem,
  fgsmItem,
  gaussianItem,
  pct,
  pgdItem,
  quantizationItem,
  type ItemInput,
  type ItemResult,
} from './suite-items.js';

/** What the suite evaluates. */
export interface SuiteInput {
  /** The trained network (its weights are restored after quantisation). */
  model: Model;
  /** The run's input normalisation (applied inside the classifier). */
  normalization: { mean: number[]; std: number[] } | null;
  /** The clean dataset. */
  data: LoadedDataset;
  /** Items to run. */
  evaluation: Evaluation;
  /** Seed of the subset, noise patterns, random starts and masks (the same for every run of a study). */
  seed: number;
  /** A stored corruption suite, when one is selected and present. */
  suite?: CorruptionSuite;
  /** Progress and cancellation. */
  io: EvalIo;
}

/**
 * Scalar metrics of each suite table: the key prefix → the table id. The legacy prefixes (`fgsm@`,
 * `pgd@`, `dropout@`, `quantized@`: reports written before the protocols were named) map to the
 * same tables, so a re-evaluation replaces them.
 */
const METRIC_TABLES: readonly [prefix: string, table: string][] = [
  ['clean', 'clean'],
  ['gaussian@', 'gaussian'],
  ['fgsm-pixel@', 'fgsm'],
  ['fgsm-normalised@', 'fgsm'],
  ['fgsm@', 'fgsm'],
  ['pgd-any-iterate@', 'pgd'],
  ['pgd-final-iterate@', 'pgd'],
  ['pgd@', 'pgd'],
  ['deepfool', 'deepfool'],
  ['corruptions.suite.', 'corruptions'],
  ['corruptions.inApp.', 'corruptions-in-app'],
  ['dropout-blocks@', 'dropout'],
  ['dropout-relus@', 'dropout'],
  ['dropout@', 'dropout'],
  ['quantise-truncate@', 'quantization'],
  ['quantise-round@', 'quantization'],
  ['quantized@', 'quantization'],
];

/** Ids of the suite's tables, in report order. */
export const SUITE_TABLES: readonly string[] = [...new Set(METRIC_TABLES.map(([, t]) => t))];

/** The suite table a scalar metric belongs to (undefined for metrics the suite does not write). */
export function tableOfMetric(key: string): string | undefined {
  return METRIC_TABLES.find(([p]) =>
    p === 'clean'
      ? key === p
      : p === 'deepfool'
        ? key === p || key.startsWith('deepfool.')
        : key.startsWith(p),
  )?.[1];
}

/** The evaluation examples: `subset` test examples, class-balanced and seeded, in input space. */
export function evaluationSet(data: LoadedDataset, subset: number | null, seed: number): Promise<EvalSet> {
  const n = data.test.count;
  const indices =
    subset !== null && subset < n
      ? balancedSample(data.test.y, data.classes, subset, new Rng(seed, Stream.split, 0xe7a1))
      : Int32Array.from({ length: n }, (_, i) => i);
  return gatherEvalSet(data.test, data.shape, indices);
}

/**
 * The robustness evaluation suite (METHODS.md §5, §7) on the run's evaluation subset: clean accuracy,
 * then each selected protocol (`evaluation.protocols`) whose parameters are present — Gaussian noise,
 * FGSM in pixel and normalised space, PGD (any-iterate and final-iterate), DeepFool, corruptions
 * (stored suite and in-app), test-time dropout (block outputs, ReLUs) and weight quantisation
 * (truncating, rounding). Every item adds a table (accuracies and errors in %) and scalar metrics
 * (fractions in [0, 1]). Cancellation stops between batches and returns the items finished so far.
 */
export async function runRobustnessSuite(inp: SuiteInput): Promise<FinishResult> {
  const { evaluation: ev, io, seed } = inp;
  const set = await evaluationSet(inp.data, ev.subset, seed);
  const classifier = pixelClassifier(inp.model, inp.normalization);
  const metrics: Record<string, number> = {};
  const tables: ReportTable[] = [];
  const image = set.bounds !== null && inp.data.shape.length === 3;
  const item: ItemInput = {
    set,
    classifier,
    model: inp.model,
    normalization: inp.normalization,
    evaluation: ev,
    seed,
    io,
    batch: EVAL_BATCH,
  };
  const add = (r: ItemResult | undefined): boolean => {
    if (r && r.table.rows.length > 0) {
      Object.assign(metrics, r.metrics);
      tables.push(r.table);
    }
    return io.cancelled();
  };

  const clean = await evaluatePerturbed(set, classifier, io, 'clean', EVAL_BATCH);
  if (io.cancelled()) return { metrics, tables };
  metrics.clean = clean.accuracy;
  tables.push({
    id: 'clean',
    title: `Clean accuracy on the ${set.n} evaluation examples`,
    columns: ['examples', 'accuracy %'],
    rows: [[set.n, pct(clean.accuracy)]],
  });

  const runs = (p: Protocol): boolean => runsProtocol(ev, p);
  if (runs('gaussian') && add(await gaussianItem(item))) return { metrics, tables };
  if ((runs('fgsm-pixel') || runs('fgsm-normalised')) && add(await fgsmItem(item)))
    return { metrics, tables };
  if ((runs('pgd-any-iterate') || runs('pgd-final-iterate')) && add(await pgdItem(item)))
    return { metrics, tables };
  if (runs('deepfool') && add(await deepfoolItem(item))) return { metrics, tables };

  if (runs('corruptions') && inp.suite) {
    const rows = await suiteCorruptions(
      inp.suite,
      inp.data.classes,
      classifier,
      ev.subset,
      seed,
      io,
      EVAL_BATCH,
    );
    metrics['corruptions.suite.error'] = meanError(rows);
    const n = ev.subset !== null ? Math.min(ev.subset, inp.suite.perSeverity) : inp.suite.perSeverity;
    tables.push(
      corruptionTable(
        'corruptions',
        `Corruption suite ${inp.suite.meta.name} (${inp.suite.meta.id}): top-1 error on ${n} examples per level`,
        rows,
      ),
    );
    if (io.cancelled()) return { metrics, tables };
  }
  if (runs('corruptions-in-app') && image) {
    const rows = await inAppCorruptions(set, classifier, seed, io, EVAL_BATCH);
    metrics['corruptions.inApp.error'] = meanError(rows);
    tables.push(
      corruptionTable(
        'corruptions-in-app',
        'In-app corruptions (CIFAR-10-C levels, seeded): top-1 error',
        rows,
      ),
    );
    if (io.cancelled()) return { metrics, tables };
  }

  if ((runs('dropout-blocks') || runs('dropout-relus')) && add(await dropoutItem(item)))
    return { metrics, tables };
  if (runs('quantise-truncate') || runs('quantise-round')) add(await quantizationItem(item));
  return { metrics, tables };
}
